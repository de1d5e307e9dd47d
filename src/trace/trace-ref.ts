import { notOk, usageError } from '../core/errors.js'
import { normalizeTraceId } from './trace-id.js'
import { isLocalEmbedded, StoreTraceSource, type TraceSource } from './trace-source.js'

/** Candidates an ambiguous prefix names. */
const SHOWN_CANDIDATES = 5
/** Recent traces a prefix is looked for in when no store file is at hand (Tempo, a named endpoint). */
const PREFIX_SEARCH_LIMIT = 1_000

/**
 * The trace id a reference names: `latest` (the trace that started last), a full id (32 hex digits, either
 * case), or a unique prefix of one. A prefix that matches no trace is read as Tempo's short form (leading
 * zeros dropped), as before; one that matches several is a usage error naming them.
 */
export async function resolveTraceRef(ref: string, source: TraceSource, home: string): Promise<string> {
  const text = ref.trim()
  if (text.toLowerCase() === 'latest') {
    const [newest] = await source.search({ limit: 1 })
    if (!newest) {
      throw notOk(
        'TRACE_NOT_FOUND',
        `no traces at ${source.target.endpoint}`,
        'Send spans first, e.g. goblin trace exec -- CMD.',
      )
    }
    return newest.traceID
  }
  const id = normalizeTraceId(text)
  if (text.length === 32) return id
  const candidates = await tracesWithPrefix(text.toLowerCase(), source, home)
  if (candidates.length === 1) return candidates[0] as string
  if (candidates.length > 1) {
    const shown = candidates.slice(0, SHOWN_CANDIDATES).join(', ')
    const more = candidates.length > SHOWN_CANDIDATES ? ', …' : ''
    throw usageError(
      'TRACE_ID_AMBIGUOUS',
      `trace id prefix "${text}" matches more than one trace: ${shown}${more}`,
      'Give more digits of the id (goblin trace list shows them), or the whole id.',
    )
  }
  return id
}

/** Trace ids starting with `prefix`: from the store file when the source is (or has) the local one. */
async function tracesWithPrefix(prefix: string, source: TraceSource, home: string): Promise<string[]> {
  const limit = SHOWN_CANDIDATES + 1
  if (source instanceof StoreTraceSource) return source.traceIdsWithPrefix(prefix, limit)
  if (isLocalEmbedded(source.target)) {
    const store = await StoreTraceSource.open(home, 'prefix lookup')
    if (store) {
      try {
        return store.traceIdsWithPrefix(prefix, limit)
      } finally {
        store.close()
      }
    }
  }
  const recent = await source.search({ limit: PREFIX_SEARCH_LIMIT })
  return [...new Set(recent.map((t) => t.traceID).filter((id) => id.startsWith(prefix)))].slice(0, limit)
}
