import { existsSync } from 'node:fs'
import { notOk, usageError } from '../core/errors.js'
import { listCheckpoints } from './checkpoint-store.js'
import { ledgerPaths } from './ledger.js'
import { ledgerSnapshotSize, readLedgerLines } from './ledger-reader.js'
import { resolveAuditLocations } from './locations.js'
import { resolveTrustedKeys } from './trust.js'
import { type TrustedKey, type VerifyError, verifyLedger } from './verify.js'

/**
 * Looking entries up (`goblin audit get SEQ`) and searching them (`goblin audit search`), each with what
 * `goblin audit verify` says of it: the whole log is verified once (the same function, so the same answer),
 * and each entry found carries the problems verify reported at its line and whether a checkpoint that
 * verified covers it.
 */

/** What a search keeps: every given field must match. */
export interface EntryFilter {
  goblin?: string
  action?: string
  decision?: string
  /** A trace id or a prefix of one (either case). */
  trace?: string
  /** Entries at or after this time. */
  since?: Date
}

/**
 * `checkpointed`: its signature verifies under the key valid at its time, it sits in its place, and a signed
 * checkpoint that verified covers it. `signed`: the same, but no checkpoint covers it yet. `failed`: verify
 * reported a problem at its line (the problems say which).
 */
export type EntryState = 'checkpointed' | 'signed' | 'failed'

export interface BrowsedEntry {
  seq: number
  /** 1-based line of the ledger file. */
  line: number
  /** The entry as stored; null when the line is not JSON. */
  envelope: Record<string, unknown> | null
  verification: {
    state: EntryState
    checkpoint: number | null
    problems: { kind: string; message: string }[]
  }
}

export interface BrowseResult {
  ledger: string
  /** Entries in the log. */
  entries: number
  /** The size of the largest checkpoint that verified, or null. */
  checkpoint: number | null
  matches: BrowsedEntry[]
  /** Problems verify reported that name no line of the log (a checkpoint file, the tiles). */
  logProblems: VerifyError[]
}

export interface BrowseOptions {
  ledgerDir: string
  trusted: TrustedKey[]
  /** The origins a checkpoint may name (`--origin`, `audit.origin`); default any. */
  origins?: string[]
  threads?: number
}

/** A browse's ledger and trusted keys from the commands' flags: `--ledger`, `--key`/`--keyring` (else the local keyring). */
export function browseOptionsFrom(flags: {
  ledger?: string
  key?: string[]
  keyring?: string
}): BrowseOptions {
  const where = resolveAuditLocations({ ledger: flags.ledger })
  const trusted = resolveTrustedKeys({ vkeys: flags.key, keyringFile: flags.keyring, keysDir: where.keysDir })
  return { ledgerDir: where.ledgerDir, trusted, origins: where.origin ? [where.origin] : undefined }
}

/** `goblin audit get SEQ`: the entry at seq `seq`; AUDIT_ENTRY_NOT_FOUND (exit 1) when the log has none. */
export async function getEntry(options: BrowseOptions, seq: number): Promise<BrowseResult> {
  const result = await browse(options, (envelope, index) => seqOf(envelope, index) === seq, 1)
  if (result.matches.length === 0) {
    throw notOk(
      'AUDIT_ENTRY_NOT_FOUND',
      `no entry with seq ${seq} in ${result.ledger} (${result.entries} entries: seq 0 to ${result.entries - 1})`,
      'goblin audit search lists the entries; seqs start at 0.',
    )
  }
  return result
}

/** `goblin audit search`: the entries matching every given field, oldest first, at most `limit`. */
export async function searchEntries(
  options: BrowseOptions,
  filter: EntryFilter,
  limit: number,
): Promise<BrowseResult> {
  const trace = filter.trace?.trim().toLowerCase()
  if (trace !== undefined && !/^[0-9a-f]{1,32}$/.test(trace)) {
    throw usageError(
      'BAD_TRACE_ID',
      `--trace "${filter.trace}" is not a trace id`,
      'Give up to 32 hex digits.',
    )
  }
  const sinceMs = filter.since?.getTime()
  const matches = (envelope: Record<string, unknown> | null) => {
    if (!envelope) return false
    if (filter.goblin !== undefined && envelope.goblin_id !== filter.goblin) return false
    if (filter.action !== undefined && envelope.action !== filter.action) return false
    if (filter.decision !== undefined && envelope.decision !== filter.decision) return false
    if (
      trace !== undefined &&
      !(typeof envelope.trace_id === 'string' && envelope.trace_id.startsWith(trace))
    )
      return false
    if (sinceMs !== undefined && !(typeof envelope.ts === 'string' && Date.parse(envelope.ts) >= sinceMs))
      return false
    return true
  }
  return browse(options, matches, limit)
}

async function browse(
  options: BrowseOptions,
  keep: (envelope: Record<string, unknown> | null, index: number) => boolean,
  limit: number,
): Promise<BrowseResult> {
  const { ledgerDir } = options
  if (!existsSync(ledgerPaths(ledgerDir).log)) {
    throw usageError(
      'AUDIT_NO_LEDGER',
      `no audit log in ${ledgerDir}`,
      'Check --ledger (or audit.ledger in goblin.config.json); goblin audit sign creates the log.',
    )
  }
  const report = await verifyLedger(ledgerDir, options.trusted, {
    origins: options.origins,
    threads: options.threads,
  })
  const checkpoint = verifiedCheckpoint(ledgerDir, report.errors, report.entries)
  const byLine = new Map<number, { kind: string; message: string }[]>()
  for (const e of report.errors) {
    if (e.line === null) continue
    const list = byLine.get(e.line) ?? []
    list.push({ kind: e.kind, message: e.message })
    byLine.set(e.line, list)
  }
  const found: BrowsedEntry[] = []
  const size = await ledgerSnapshotSize(ledgerDir)
  const lines = readLedgerLines(ledgerDir, size)
  for await (const chunk of lines) {
    for (let j = 0; j < chunk.count && found.length < limit; j++) {
      const index = chunk.first + j
      const envelope = parseEntry(chunk.bytes.subarray(chunk.starts[j] as number, chunk.ends[j] as number))
      if (!keep(envelope, index)) continue
      const seq = seqOf(envelope, index)
      const problems = byLine.get(index + 1) ?? []
      const covered = checkpoint !== null && index < checkpoint
      found.push({
        seq,
        line: index + 1,
        envelope,
        verification: {
          state: problems.length > 0 ? 'failed' : covered ? 'checkpointed' : 'signed',
          checkpoint: covered ? checkpoint : null,
          problems,
        },
      })
    }
    if (found.length >= limit) break
  }
  return {
    ledger: ledgerDir,
    entries: report.entries,
    checkpoint,
    matches: found,
    logProblems: report.errors.filter((e) => e.line === null),
  }
}

/** The largest stored checkpoint verify raised nothing against, within the log's size. */
function verifiedCheckpoint(ledgerDir: string, errors: VerifyError[], entries: number): number | null {
  const failed = new Set(errors.flatMap((e) => (e.file ? [e.file] : [])))
  const good = listCheckpoints(ledgerDir).filter(
    (c) => !failed.has(c.path) && c.size > 0 && c.size <= entries,
  )
  return good.length > 0 ? Math.max(...good.map((c) => c.size)) : null
}

/** A line as stored: parsed as JSON when it is an object (verify says whether it is a sound one). */
function parseEntry(line: Buffer): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line.toString('utf8'))
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null
  } catch {
    return null
  }
}

function seqOf(envelope: Record<string, unknown> | null, index: number): number {
  const seq = envelope?.seq
  return typeof seq === 'number' && Number.isSafeInteger(seq) ? seq : index
}
