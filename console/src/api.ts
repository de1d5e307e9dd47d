import type { AnchorReceipt } from '../../src/anchor/receipt.js'
import type { AnchorCheck } from '../../src/anchor/verify-anchors.js'
import type { InclusionProofJson } from '../../src/audit/proofs.js'
import type { VerifyError } from '../../src/audit/verify.js'
import type { TraceSummary } from '../../src/collector/span-store.js'
import type { BudgetCheck } from '../../src/cost/budget-check.js'
import type { CostReport } from '../../src/cost/cost-report.js'
import type { Waterfall } from '../../src/trace/waterfall.js'

export type { BudgetCheck, CostReport, InclusionProofJson, TraceSummary, Waterfall }

/** A failed answer of the collector, with its message (`{error}` bodies) and status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: Record<string, unknown>,
  ) {
    super(message)
  }
}

/** How long one try of a read waits for its answer; a read that has none by then is asked once more. */
const ANSWER_WAIT_MS = 10_000

/**
 * GETs a JSON answer of the collector's read API (same origin: the page is served by the collector). A try
 * that has no answer within ANSWER_WAIT_MS is given up and asked again once, on a fresh connection: CI has
 * seen the last of a page's seven requests go unanswered for 30 s while the collector answered the others.
 */
export async function getJson<T>(path: string, signal?: AbortSignal, waitMs = ANSWER_WAIT_MS): Promise<T> {
  let response: Response
  try {
    response = await fetchWithin(path, signal, waitMs)
  } catch (error) {
    if ((error as Error).name !== 'TimeoutError') throw error
    response = await fetchWithin(path, signal, waitMs)
  }
  const text = await response.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new ApiError(response.status, `${path}: ${response.status} ${text.slice(0, 200)}`, {})
  }
  if (!response.ok) {
    const b = body as Record<string, unknown>
    throw new ApiError(response.status, String(b.error ?? `${path}: ${response.status}`), b)
  }
  return body as T
}

function fetchWithin(path: string, signal: AbortSignal | undefined, waitMs: number): Promise<Response> {
  const timeout = AbortSignal.timeout(waitMs)
  return fetch(path, {
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    headers: { accept: 'application/json' },
  })
}

export interface AuditCheckpointInfo {
  origin?: string
  size?: number
  root?: string
  error?: string
  file: string
  writtenAt: string
  note: string
  receipt: AnchorReceipt | null
}

export interface AuditSummary {
  ledger: string
  entries: number
  tornLine: number | null
  checkpoints: AuditCheckpointInfo[]
  keys: Array<{ kid: string; vkey: string; status: 'active' | 'retired' | 'revoked' }>
  verification:
    | {
        at: string
        ok: boolean
        entries: number
        checkpoints: number
        root: string
        errors: VerifyError[]
        anchors: AnchorCheck[]
      }
    | { at: string; error: string; code: string }
}

export interface AuditEntries {
  size: number
  matched: number
  entries: Array<{ index: number; line: string }>
}

export interface AuditProofs {
  checkpoint: { size: number; note: string } | null
  /** One per asked index, in order; null when the checkpoint does not cover the entry yet. */
  proofs: Array<InclusionProofJson | null>
}

export const api = {
  search: (params: URLSearchParams, signal?: AbortSignal) =>
    getJson<{ traces: TraceSummary[] }>(`/api/search?${params}`, signal),
  waterfall: (id: string) => getJson<Waterfall>(`/api/goblin/traces/${encodeURIComponent(id)}/waterfall`),
  costReport: (params: URLSearchParams) => getJson<CostReport>(`/api/goblin/cost/report?${params}`),
  costCheck: () => getJson<BudgetCheck>('/api/goblin/cost/check'),
  auditSummary: () => getJson<AuditSummary>('/api/goblin/audit/summary'),
  auditEntries: (params: URLSearchParams) => getJson<AuditEntries>(`/api/goblin/audit/entries?${params}`),
  auditProofs: (indexes: number[]) =>
    getJson<AuditProofs>(`/api/goblin/audit/proofs?index=${indexes.join(',')}`),
}
