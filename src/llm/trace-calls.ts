import type { LlmCall } from './llm-call.js'
import type { SpanLabels } from './read-span.js'

/**
 * What a call's place in its trace decides, over every span of the trace that has arrived:
 * - **aggregate**: a call with another call anywhere below it, however many non-call spans lie between
 *   (the AI SDK's `invoke_agent` → `step` → `chat`), repeats its descendants' usage and is not counted;
 * - **inherited labels**: a call that names no model, goblin, task or session takes each from its nearest
 *   ancestor that names it (Codex names the model on the turn span, not on the span with the usage;
 *   `trace exec --attr goblin.id=...` names the goblin on the span around a library's calls).
 * Pure, so the store's index and `trace show` decide alike, whatever order the spans arrived in.
 */

export interface TraceNode {
  spanId: string
  parentSpanId: string | null
  /** What the span names for the calls below it (`spanLabels`). */
  labels: SpanLabels
}

export interface CallPlace {
  aggregate: boolean
  /** Each label of the nearest ancestor that names it; null where no ancestor does. */
  inherited: SpanLabels
}

const LABELS = ['model', 'goblin', 'task', 'session'] as const

/** Places every call span (`callSpanIds`) in the trace made of `nodes`. A cycle in bad input ends the walk. */
export function placeCalls(
  nodes: Iterable<TraceNode>,
  callSpanIds: Iterable<string>,
): Map<string, CallPlace> {
  const byId = new Map<string, TraceNode>()
  for (const node of nodes) byId.set(node.spanId, node)
  const calls = new Set(callSpanIds)
  const places = new Map<string, CallPlace>()
  for (const id of calls) {
    places.set(id, { aggregate: false, inherited: { model: null, goblin: null, task: null, session: null } })
  }
  for (const id of calls) {
    const inherited = (places.get(id) as CallPlace).inherited
    const seen = new Set([id])
    let parent = byId.get(id)?.parentSpanId ?? null
    while (parent !== null && !seen.has(parent)) {
      seen.add(parent)
      const above = places.get(parent)
      if (above) above.aggregate = true
      const node = byId.get(parent)
      if (!node) break
      for (const label of LABELS) inherited[label] ??= node.labels[label]
      parent = node.parentSpanId
    }
  }
  return places
}

/** The call with what it names itself, and what its place gives it where it names nothing. */
export function placedCall<C extends LlmCall>(call: C, place: CallPlace | undefined): C {
  if (!place) return call
  return {
    ...call,
    model: call.model ?? place.inherited.model,
    goblin: call.goblin ?? place.inherited.goblin,
    task: call.task ?? place.inherited.task,
    session: call.session ?? place.inherited.session,
  }
}
