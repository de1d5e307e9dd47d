import { readFileSync } from 'node:fs'
import { text } from 'node:stream/consumers'
import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { openNote, parseVerifierKey } from '../../../src/audit/signed-note.js'
import { GoblinCommand } from '../../../src/cli/base-command.js'
import { inputSource } from '../../../src/cli/flags.js'
import { ExitCode, usageError } from '../../../src/core/errors.js'

export default class AuditNoteVerify extends GoblinCommand {
  static override summary = 'Verify a C2SP signed note (any implementation)'
  static override description =
    'Checks every signature line against the given verifier keys. OK (exit 0) when at least one given key verified and none failed; signatures from keys not given are listed as unknown and ignored.'
  static override examples = [
    '<%= config.bin %> audit note verify --key example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k checkpoint.note',
  ]
  static override args = {
    file: Args.string({ description: 'the signed note file, or - for stdin', required: true }),
  }
  static override flags = {
    key: Flags.string({
      description: 'a verifier key name+hash+base64 (repeatable)',
      multiple: true,
      multipleNonGreedy: true,
      required: true,
    }),
  }

  async run(): Promise<{
    ok: boolean
    text: string
    verified: string[]
    failed: string[]
    unknown: string[]
  }> {
    const { args, flags } = await this.parse(AuditNoteVerify)
    const input = inputSource(args.file)
    let note: string
    try {
      note = input.path === null ? await text(process.stdin) : readFileSync(input.path, 'utf8')
    } catch {
      throw usageError(
        'AUDIT_NO_NOTE',
        `cannot read ${args.file}`,
        'Give a readable signed note file, or - for stdin.',
      )
    }
    const opened = openNote(
      note,
      flags.key.map((k) => parseVerifierKey(k)),
    )
    const ok = opened.verified.length > 0 && opened.failed.length === 0
    const labels = (list: typeof opened.verified) => list.map((s) => s.label)
    for (const s of opened.verified) this.out(`verified: ${s.label}`)
    for (const s of opened.failed) this.out(`FAILED:   ${s.label} (the signature does not verify)`)
    for (const s of opened.unknown) this.out(`unknown:  ${s.label} (no such key given; ignored)`)
    if (!ok) {
      this.out(
        opened.verified.length === 0
          ? 'not verified: no given key signed this note'
          : 'not verified: a given key signed something else',
      )
      process.exitCode = ExitCode.notOk
    }
    return {
      ok,
      text: opened.text,
      verified: labels(opened.verified),
      failed: labels(opened.failed),
      unknown: labels(opened.unknown),
    }
  }
}
