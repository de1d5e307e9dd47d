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

/** GETs a JSON answer of the collector's read API (same origin: the page is served by the collector). */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(path, { signal, headers: { accept: 'application/json' } })
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
