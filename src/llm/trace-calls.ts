/**
 * What a call's place in its trace decides, over every span of the trace that has arrived:
 * - **aggregate**: a call with another call anywhere below it, however many non-call spans lie between
 *   (the AI SDK's `invoke_agent` → `step` → `chat`), repeats its descendants' usage and is not counted;
 * - **inherited model**: a call that names no model takes its nearest ancestor's (Codex names the model on
 *   the turn span, not on the span with the usage).
 * Pure, so the store's index and `trace show` decide alike, whatever order the spans arrived in.
 */

export interface TraceNode {
  spanId: string
  parentSpanId: string | null
  /** The model the span names (`spanModelHint`), or null. */
  modelHint: string | null
}

export interface CallPlace {
  aggregate: boolean
  /** The nearest ancestor's model hint, for a call that names none; null when no ancestor names one. */
  inheritedModel: string | null
}

/** Places every call span (`callSpanIds`) in the trace made of `nodes`. A cycle in bad input ends the walk. */
export function placeCalls(
  nodes: Iterable<TraceNode>,
  callSpanIds: Iterable<string>,
): Map<string, CallPlace> {
  const byId = new Map<string, TraceNode>()
  for (const node of nodes) byId.set(node.spanId, node)
  const calls = new Set(callSpanIds)
  const places = new Map<string, CallPlace>()
  for (const id of calls) places.set(id, { aggregate: false, inheritedModel: null })
  for (const id of calls) {
    const place = places.get(id) as CallPlace
    const seen = new Set([id])
    let parent = byId.get(id)?.parentSpanId ?? null
    while (parent !== null && !seen.has(parent)) {
      seen.add(parent)
      const above = places.get(parent)
      if (above) above.aggregate = true
      const node = byId.get(parent)
      if (!node) break
      if (place.inheritedModel === null && node.modelHint !== null) place.inheritedModel = node.modelHint
      parent = node.parentSpanId
    }
  }
  return places
}
