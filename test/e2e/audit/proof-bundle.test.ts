import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parseJson, runGoblin, tempDir } from '../../helpers/cli.js'

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

function home() {
  const h = tempDir('goblin-proof-e2e-')
  cleanups.push(h.cleanup)
  return {
    path: h.path,
    goblin: (args: string[], input?: string) =>
      runGoblin(args, { env: { GOBLIN_HOME: h.path }, input, cwd: h.path }),
  }
}

describe('audit prove --bundle and audit verify-proof (built CLI)', { timeout: 240_000 }, () => {
  it('hands an auditor one file that proves one entry, offline; a changed file fails, a broken one is exit 2', async () => {
    const log = home()
    const { vkey } = parseJson<{ vkey: string }>(
      await log.goblin(['audit', 'keygen', '--name', 'example.com/audit', '--json']),
    )
    const events = Array.from({ length: 300 }, (_, i) =>
      JSON.stringify({ goblin_id: 'g', action: `tool.call.${i}`, decision: i === 7 ? 'deny' : 'allow' }),
    )
    const signed = parseJson<{ entries: Array<{ envelope: unknown }> }>(
      await log.goblin(['audit', 'sign', '--input', '-', '--json'], events.join('\n')),
    )
    expect((await log.goblin(['audit', 'checkpoint'])).exitCode).toBe(0)
    const bundle = await log.goblin(['audit', 'prove', '--index', '7', '--bundle'])
    expect(bundle.exitCode, bundle.stderr).toBe(0)
    expect(bundle.stdout).toMatch(
      /^c2sp\.org\/tlog-proof@v1\nextra [A-Za-z0-9+/=]+\nindex 7\n([A-Za-z0-9+/=]{44}\n){9}\nexample\.com\/audit\n300\n/,
    )

    const auditor = home()
    const file = join(auditor.path, 'decision-7.tlog-proof')
    // execa drops the final newline of stdout; the file is what the shell's > would have written.
    writeFileSync(file, `${bundle.stdout}\n`)
    const entry = join(auditor.path, 'decision-7.json')
    writeFileSync(entry, JSON.stringify(signed.entries[7]?.envelope, null, 2))
    const verifyWithEntry = () =>
      auditor.goblin(['audit', 'verify-proof', file, '--key', vkey, '--entry', entry, '--json'])
    const ok = await verifyWithEntry()
    expect(ok.exitCode, ok.stdout).toBe(0)
    expect(parseJson(ok)).toMatchObject({
      ok: true,
      index: 7,
      checkpoint: { size: 300, origin: 'example.com/audit' },
      entry: { seq: 7, decision: 'deny' },
    })

    writeFileSync(entry, JSON.stringify(signed.entries[8]?.envelope))
    const wrongEntry = await verifyWithEntry()
    expect(wrongEntry.exitCode).toBe(1)
    expect(parseJson<{ errors: Array<{ kind: string }> }>(wrongEntry).errors.map((e) => e.kind)).toEqual([
      'modified-entry',
      'reorder',
      'not-included',
    ])

    const lines = `${bundle.stdout}\n`.split('\n')
    lines[4] = Buffer.alloc(32, 7).toString('base64')
    writeFileSync(file, lines.join('\n'))
    const forged = await auditor.goblin(['audit', 'verify-proof', file, '--key', vkey])
    expect(forged.exitCode).toBe(1)
    expect(forged.stdout).toMatch(
      /not-included: inclusion of 7 in 300: the proof leads to root [0-9a-f]{64}, not [0-9a-f]{64}/,
    )

    writeFileSync(file, 'not a proof\n\n')
    expect((await auditor.goblin(['audit', 'verify-proof', file, '--key', vkey])).exitCode).toBe(2)
    expect(
      (await auditor.goblin(['audit', 'verify-proof', join(auditor.path, 'missing'), '--key', vkey]))
        .exitCode,
    ).toBe(2)
  })
})
