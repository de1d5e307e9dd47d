import { readFileSync } from 'node:fs'
import { usageError } from '../core/errors.js'
import { type Cosigned, verifyCosignatures } from './cosignature.js'
import { ALG_COSIGNATURE_V1, keyLabel, type NoteVerifier, parseVerifierKey } from './signed-note.js'

/**
 * C2SP tlog-policy (https://c2sp.org/tlog-policy): which logs are trusted (`log <vkey> [url]`, the key
 * named as the log's origin), which witnesses (`witness <name> <vkey> [url]`, cosigner keys of type 0x04),
 * groups (`group <name> all|any|<k> <member>...`, members defined on earlier lines, each at most once)
 * and the one `quorum <name>` (`none` for no witness). A checkpoint is valid when a listed log signed it
 * and the quorum of witnesses cosigned it.
 */

export interface Policy {
  logs: Array<{ verifier: NoteVerifier; url?: string }>
  witnesses: Map<string, { verifier: NoteVerifier; url?: string }>
  groups: Map<string, { threshold: number; members: string[] }>
  quorum: string
}

/** Parses a policy file's text; errors name the file, the line and what is wrong (exit 2). */
export function parsePolicy(text: string, where: string): Policy {
  const policy: Policy = { logs: [], witnesses: new Map(), groups: new Map(), quorum: '' }
  const keys = new Set<string>()
  let quorumLine = 0
  const lines = text.split('\n')
  lines.forEach((raw, i) => {
    const bad = (why: string) =>
      usageError('AUDIT_BAD_POLICY', `${where}:${i + 1}: ${why}`, 'See c2sp.org/tlog-policy for the syntax.')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the spec allows tab and newline only
    if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(raw)) throw bad('a control character other than tab')
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const [keyword, ...args] = line.split(/[ \t]+/)
    const defined = (name: string) => name === 'none' || policy.witnesses.has(name) || policy.groups.has(name)
    const unique = (vkey: NoteVerifier) => {
      const raw32 = vkey.publicKey.toString('hex')
      if (keys.has(raw32)) throw bad('this public key is listed twice')
      keys.add(raw32)
    }
    const key = (vkey: string, type?: number) => {
      try {
        return parseVerifierKey(vkey, type)
      } catch (error) {
        throw bad((error as Error).message)
      }
    }
    switch (keyword) {
      case 'log': {
        if (args.length < 1 || args.length > 2) throw bad('expected: log <vkey> [<url>]')
        const verifier = key(args[0] as string)
        unique(verifier)
        policy.logs.push({ verifier, ...(args[1] ? { url: args[1] } : {}) })
        return
      }
      case 'witness': {
        if (args.length < 2 || args.length > 3) throw bad('expected: witness <name> <vkey> [<url>]')
        const name = args[0] as string
        if (defined(name)) throw bad(`the name ${name} is already defined`)
        const verifier = key(args[1] as string, ALG_COSIGNATURE_V1)
        unique(verifier)
        policy.witnesses.set(name, { verifier, ...(args[2] ? { url: args[2] } : {}) })
        return
      }
      case 'group': {
        if (args.length < 3) throw bad('expected: group <name> all|any|<k> <name>...')
        const [name, k, ...members] = args as [string, string, ...string[]]
        if (defined(name)) throw bad(`the name ${name} is already defined`)
        for (const m of members) {
          if (m === 'none') throw bad('none cannot be a group member')
          if (!defined(m)) throw bad(`${m} is not defined on an earlier line`)
        }
        if (new Set(members).size !== members.length) throw bad('a member is listed twice')
        const threshold =
          k === 'all' ? members.length : k === 'any' ? 1 : /^[1-9][0-9]*$/.test(k) ? Number(k) : Number.NaN
        if (!(threshold >= 1 && threshold <= members.length))
          throw bad(`the threshold ${k} is not all, any, or 1..${members.length}`)
        policy.groups.set(name, { threshold, members })
        return
      }
      case 'quorum': {
        if (args.length !== 1) throw bad('expected: quorum <name>')
        if (quorumLine) throw bad(`a second quorum (the first is on line ${quorumLine})`)
        if (!defined(args[0] as string)) throw bad(`${args[0]} is not defined on an earlier line`)
        policy.quorum = args[0] as string
        quorumLine = i + 1
        return
      }
      default:
        throw bad(`unknown line "${keyword}"`)
    }
  })
  if (!quorumLine)
    throw usageError('AUDIT_BAD_POLICY', `${where}: no quorum line`, 'Add quorum <name>, or quorum none.')
  return policy
}

/** Reads and parses a policy file. */
export function loadPolicy(file: string): Policy {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    throw usageError(
      'AUDIT_NO_POLICY',
      `cannot read the policy file ${file}`,
      'Give a c2sp.org/tlog-policy file.',
    )
  }
  return parsePolicy(text, file)
}

/** Whether the witnesses whose cosignatures verified satisfy the policy's quorum, and which did. */
export function checkQuorum(
  policy: Policy,
  note: string,
): { ok: boolean; cosigned: Cosigned[]; failed: Cosigned[]; witnessed: string[] } {
  const names = [...policy.witnesses.keys()]
  const { verified, failed } = verifyCosignatures(
    note,
    names.map((n) => (policy.witnesses.get(n) as { verifier: NoteVerifier }).verifier),
  )
  const witnessed = names.filter((n) => {
    const { verifier } = policy.witnesses.get(n) as { verifier: NoteVerifier }
    return verified.some((c) => c.label === keyLabel(verifier.name, verifier.keyId))
  })
  const satisfied = (name: string): boolean => {
    if (name === 'none') return true
    const group = policy.groups.get(name)
    if (!group) return witnessed.includes(name)
    return group.members.filter(satisfied).length >= group.threshold
  }
  return { ok: failed.length === 0 && satisfied(policy.quorum), cosigned: verified, failed, witnessed }
}
