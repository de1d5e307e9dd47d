import { createHash } from 'node:crypto'
import type { DetailedError } from '@cedar-policy/cedar-wasm/nodejs'
import { GoblinError } from '../core/errors.js'
import type { Cedar } from './cedar.js'
import type { PolicySource } from './policy-files.js'

/** One policy of a set: its id, its text, and where it is written. */
export interface PolicyEntry {
  /** The `@id("...")` annotation, else `<file>:<line>` of its first character. */
  id: string
  text: string
  file: string
  line: number
  column: number
  /** Byte offset of the policy in its file (Cedar reports source locations in bytes). */
  offset: number
  effect: 'permit' | 'forbid'
  /** The `@reason("...")` annotation: what a denial tells the caller (and a coding agent's model). */
  reason?: string
  /** `@ask` on a forbid: a coding agent's hook asks the user instead of denying. */
  ask: boolean
}

/** A problem in a policy file, located as an editor wants it. */
export interface SourceProblem {
  file: string
  line: number
  column: number
  message: string
  help?: string
  policyId?: string
}

export interface PolicySet {
  /** SHA-256 of the files that make the set (docs/policy.md, "The policy set's hash"). */
  sha256: string
  files: string[]
  policies: PolicyEntry[]
  byId: Map<string, PolicyEntry>
  /** True when a policy reads `context.cost`: only then does a decision measure the cost envelopes. */
  readsCost: boolean
}

/**
 * The hash that names a policy set in decisions and audit entries: SHA-256 over the files sorted by name,
 * each as `<name>\n<byte length>\n<bytes>`. Any edit, rename, addition or removal changes it.
 */
export function policySetSha256(sources: PolicySource[]): string {
  const hash = createHash('sha256')
  for (const source of [...sources].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const bytes = Buffer.from(source.text, 'utf8')
    hash.update(`${source.name}\n${bytes.length}\n`)
    hash.update(bytes)
  }
  return hash.digest('hex')
}

/** Line and column (1-based, in characters) of a byte offset in `text`. */
export function lineColumnAt(text: string, byteOffset: number): { line: number; column: number } {
  const before = Buffer.from(text, 'utf8').subarray(0, byteOffset).toString('utf8').split('\n')
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 }
}

/** Problems of one Cedar error, each at the source location it names (its related errors' too). */
export function locateError(
  error: DetailedError,
  file: string,
  text: string,
  base: number,
  policyId?: string,
): SourceProblem[] {
  const located = [error, ...(error.related ?? [])].flatMap((e) =>
    (e.sourceLocations ?? []).map((l) => ({ e, l })),
  )
  const at = located[0]
  const where = lineColumnAt(text, base + (at?.l.start ?? 0))
  const label = at?.l.label ? ` (${at.l.label})` : ''
  const message = at && at.e !== error ? `${error.message}: ${at.e.message}` : error.message
  return [
    {
      file,
      ...where,
      message: `${message}${label}`,
      ...(error.help ? { help: error.help } : {}),
      ...(policyId ? { policyId } : {}),
    },
  ]
}

/**
 * Splits the files into their policies, each with its id and place; syntax errors and duplicate ids are
 * problems (the set is null when there is any).
 */
export function parsePolicySet(
  cedar: Cedar,
  sources: PolicySource[],
): { set: PolicySet | null; problems: SourceProblem[] } {
  const problems: SourceProblem[] = []
  const policies: PolicyEntry[] = []
  for (const source of sources) {
    const parts = cedar.policySetTextToParts(source.text)
    if (parts.type === 'failure') {
      for (const error of parts.errors) problems.push(...locateError(error, source.name, source.text, 0))
      continue
    }
    const bytes = Buffer.from(source.text, 'utf8')
    const used = new Set<number>()
    for (const part of parts.policies) {
      const needle = Buffer.from(part, 'utf8')
      let offset = bytes.indexOf(needle)
      while (used.has(offset)) offset = bytes.indexOf(needle, offset + 1)
      used.add(offset)
      const head = policyHead(part)
      const where = lineColumnAt(source.text, offset)
      const { annotations } = head
      policies.push({
        id: annotations.id ?? `${source.name}:${where.line}`,
        text: part,
        file: source.name,
        ...where,
        offset,
        effect: head.effect,
        ...(annotations.reason ? { reason: annotations.reason } : {}),
        ask: head.effect === 'forbid' && 'ask' in annotations,
      })
    }
  }
  const byId = new Map<string, PolicyEntry>()
  for (const policy of policies) {
    const first = byId.get(policy.id)
    if (first) {
      problems.push({
        file: policy.file,
        line: policy.line,
        column: policy.column,
        message: `policy id "${policy.id}" is already used at ${first.file}:${first.line}:${first.column}`,
        help: 'Give each policy its own @id("...").',
      })
    } else byId.set(policy.id, policy)
  }
  policies.sort((a, b) => (a.file === b.file ? a.offset - b.offset : a.file < b.file ? -1 : 1))
  if (problems.length > 0) return { set: null, problems }
  return {
    set: {
      sha256: policySetSha256(sources),
      files: sources.map((s) => s.name),
      policies,
      byId,
      readsCost: policies.some((p) => /\bcontext\s*\.\s*cost\b|\bcontext\s*\[\s*"cost"\s*\]/.test(p.text)),
    },
    problems,
  }
}

const HEAD_TOKEN =
  /\s+|\/\/[^\n]*|@([A-Za-z_][A-Za-z0-9_]*)(?:\s*\(\s*("(?:[^"\\]|\\.)*")\s*\))?|(permit|forbid)\b/y

/**
 * The annotations and effect of one policy Cedar has parsed (so its text is valid): read from its head,
 * `@name("value")`... then `permit` or `forbid`. Asking Cedar for each policy's JSON form costs about 2 ms a
 * policy; this reads only what goblin needs.
 */
export function policyHead(text: string): {
  effect: 'permit' | 'forbid'
  annotations: Record<string, string | null>
} {
  const annotations: Record<string, string | null> = {}
  HEAD_TOKEN.lastIndex = 0
  for (let match = HEAD_TOKEN.exec(text); match; match = HEAD_TOKEN.exec(text)) {
    if (match[3]) return { effect: match[3] as 'permit' | 'forbid', annotations }
    if (match[1]) annotations[match[1]] = match[2] ? cedarString(match[2]) : null
  }
  throw new GoblinError('POLICY_INTERNAL', `not the head of a Cedar policy: ${text.slice(0, 40)}`)
}

/** A Cedar string literal's value: the escapes \n \r \t \0 \\ \" \' and \u{hex}, in one pass. */
function cedarString(literal: string): string {
  const named: Record<string, string> = { n: '\n', r: '\r', t: '\t', '0': '\0' }
  return literal
    .slice(1, -1)
    .replace(/\\(?:u\{([0-9a-fA-F]{1,6})\}|(.))/g, (_m, hex: string | undefined, c: string) =>
      hex ? String.fromCodePoint(Number.parseInt(hex, 16)) : (named[c] ?? c),
    )
}
