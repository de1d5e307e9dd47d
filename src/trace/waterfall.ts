import type { SpanRecord } from '../collector/span-record.js'
import type { IndexedCall } from '../collector/span-store.js'
import { roundUsd } from '../core/usd.js'
import type { CallTokens, LlmCall, PricedCall } from '../llm/llm-call.js'
import { readSpanCall, spanLabels } from '../llm/read-span.js'
import { placeCalls, placedCall } from '../llm/trace-calls.js'

/**
 * The LLM call on a span's row, read by the one LLM-call model (`readSpanCall`) and placed in the trace like
 * the store's index places it: an aggregate repeats its descendants' usage and is left out of the total.
 */
export interface LlmFacts {
  model: string | null
  provider: string | null
  tokens: CallTokens
  metered: boolean
  aggregate: boolean
  /** USD: the call's own cost, else its tokens x the price; null when unmetered or the model is unknown. */
  costUsd: number | null
}

/** Prices a call (`priceCall`'s USD), or null when it cannot be priced; the waterfall stays pure. */
export type CallPricer = (call: PricedCall) => number | null

/** One line of the waterfall: a span, or a run of collapsed siblings. */
export type WaterfallRow =
  | {
      type: 'span'
      depth: number
      /** Tree glyph prefix (├─ └─ │) for this row. */
      prefix: string
      span: SpanRecord
      offsetMs: number
      durationMs: number
      /** Descendants hidden by --depth. */
      hiddenDescendants: number
      llm: LlmFacts | null
    }
  | {
      type: 'collapsed'
      depth: number
      prefix: string
      count: number
      errors: number
      offsetMs: number
      durationMs: number
      names: string[]
    }

export interface Waterfall {
  traceId: string
  rows: WaterfallRow[]
  startUnixNano: string
  durationMs: number
  spanCount: number
  errorCount: number
  services: string[]
  /** USD of the trace's LLM calls, aggregates left out: the figure `cost report` gives for the trace. */
  costUsd: number
  /** Every LLM call of the trace, shown rows or not. */
  llmCalls: Array<{ spanId: string } & LlmFacts>
  /** LLM calls only a log event reported (no span of the trace carries them): in `costUsd`, on no row. */
  logOnlyCalls: number
  /** Spans whose parent is not in the trace (shown as extra roots). */
  orphans: number
}

export interface WaterfallOptions {
  /** Show spans down to this depth (roots are depth 0); deeper ones are counted on their ancestor's row. */
  depth?: number
  /** Siblings shown before the rest collapse into one row (default 20); Infinity shows all. */
  maxChildren?: number
  /** Prices the LLM calls; without it only their own costs (`llm.cost`) are known. */
  price?: CallPricer
  /**
   * The cost index's calls of the trace (`TraceSource.traceCalls`): where given, the LLM facts and the total
   * come from them, as `trace list` and `cost report` count them (a coding agent's log event adds its own
   * counts and cost to the span of the same call); else each span is read alone.
   */
  calls?: IndexedCall[] | null
}

interface Node {
  span: SpanRecord
  start: bigint
  end: bigint
  children: Node[]
}

/**
 * The waterfall model of a trace: spans as a tree in start order, each with its offset and duration
 * relative to the trace, LLM facts on LLM spans, and siblings past `maxChildren` collapsed into one row,
 * so a 5,000-span trace stays readable. Iterative, so deep traces do not exhaust the stack.
 */
export function buildWaterfall(spans: SpanRecord[], options: WaterfallOptions = {}): Waterfall {
  const maxDepth = options.depth ?? Number.POSITIVE_INFINITY
  const maxChildren = options.maxChildren ?? 20
  const nodes = new Map<string, Node>()
  for (const span of spans) {
    nodes.set(span.spanId, {
      span,
      start: BigInt(span.startTimeUnixNano),
      end: BigInt(span.endTimeUnixNano),
      children: [],
    })
  }
  const roots: Node[] = []
  let orphans = 0
  for (const node of nodes.values()) {
    const parent = node.span.parentSpanId ? nodes.get(node.span.parentSpanId) : undefined
    if (parent && parent !== node) parent.children.push(node)
    else {
      if (node.span.parentSpanId) orphans++
      roots.push(node)
    }
  }
  let traceStart = roots[0]?.start ?? 0n
  let traceEnd = 0n
  let errorCount = 0
  const services = new Set<string>()
  for (const node of nodes.values()) {
    if (node.start < traceStart) traceStart = node.start
    if (node.end > traceEnd) traceEnd = node.end
    if (node.span.statusCode === 2) errorCount++
    services.add(node.span.serviceName)
  }
  const llm = options.calls ? indexedFacts(options.calls, options.price) : traceCalls(spans, options.price)
  let costUsd = 0
  for (const facts of llm.values()) if (!facts.aggregate) costUsd = roundUsd(costUsd + (facts.costUsd ?? 0))
  const byStart = (a: Node, b: Node) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0)
  roots.sort(byStart)
  for (const node of nodes.values()) node.children.sort(byStart)

  const ms = (ns: bigint) => Number(ns) / 1e6
  const rows: WaterfallRow[] = []
  // Depth-first with an explicit stack: [node, depth, prefix for children, own glyph].
  type Item =
    | { node: Node; depth: number; indent: string; glyph: string }
    | { collapsed: Node[]; depth: number; indent: string }
  const stack: Item[] = []
  const pushChildren = (children: Node[], depth: number, indent: string) => {
    const shown = children.length > maxChildren ? children.slice(0, maxChildren) : children
    const rest = children.length > maxChildren ? children.slice(maxChildren) : []
    const items: Item[] = shown.map((child, i) => ({
      node: child,
      depth,
      indent,
      glyph: i === shown.length - 1 && rest.length === 0 ? '└─ ' : '├─ ',
    }))
    if (rest.length > 0) items.push({ collapsed: rest, depth, indent })
    for (let i = items.length - 1; i >= 0; i--) stack.push(items[i] as Item)
  }
  pushChildren(roots, 0, '')
  // Roots carry no glyph.
  for (const item of stack) if ('node' in item) item.glyph = ''
  while (stack.length > 0) {
    const item = stack.pop() as Item
    if ('collapsed' in item) {
      let start = item.collapsed[0]?.start ?? traceStart
      let end = 0n
      let errors = 0
      const names = new Set<string>()
      for (const n of item.collapsed) {
        if (n.start < start) start = n.start
        if (n.end > end) end = n.end
        const sub = countSubtree(n)
        errors += sub.errors
        names.add(n.span.name)
      }
      rows.push({
        type: 'collapsed',
        depth: item.depth,
        prefix: `${item.indent}└─ `,
        count: item.collapsed.reduce((sum, n) => sum + countSubtree(n).spans, 0),
        errors,
        offsetMs: ms(start - traceStart),
        durationMs: ms(end - start),
        names: [...names].slice(0, 3),
      })
      continue
    }
    const { node, depth } = item
    const hidden = depth >= maxDepth ? countSubtree(node).spans - 1 : 0
    rows.push({
      type: 'span',
      depth,
      prefix: `${item.indent}${item.glyph}`,
      span: node.span,
      offsetMs: ms(node.start - traceStart),
      durationMs: ms(node.end - node.start),
      hiddenDescendants: hidden,
      llm: llm.get(node.span.spanId) ?? null,
    })
    if (depth < maxDepth) {
      const childIndent =
        item.glyph === '' ? item.indent : `${item.indent}${item.glyph === '└─ ' ? '   ' : '│  '}`
      pushChildren(node.children, depth + 1, childIndent)
    }
  }
  return {
    traceId: spans[0]?.traceId ?? '',
    rows,
    startUnixNano: traceStart.toString(),
    durationMs: ms(traceEnd - traceStart),
    spanCount: spans.length,
    errorCount,
    services: [...services].sort(),
    costUsd,
    llmCalls: [...llm].map(([spanId, facts]) => ({ spanId, ...facts })),
    logOnlyCalls: options.calls?.filter((call) => !call.onSpan).length ?? 0,
    orphans,
  }
}

function countSubtree(root: Node): { spans: number; errors: number } {
  let spans = 0
  let errors = 0
  const stack = [root]
  while (stack.length > 0) {
    const n = stack.pop() as Node
    spans++
    if (n.span.statusCode === 2) errors++
    for (const c of n.children) stack.push(c)
  }
  return { spans, errors }
}

/** Every LLM call of the trace by span id, placed (aggregates, inherited models) and priced. */
function traceCalls(spans: SpanRecord[], price: CallPricer | undefined): Map<string, LlmFacts> {
  const calls = new Map<string, LlmCall>()
  for (const span of spans) {
    const call = readSpanCall(span)
    if (call) calls.set(span.spanId, call)
  }
  const places = placeCalls(
    spans.map((s) => ({ spanId: s.spanId, parentSpanId: s.parentSpanId, labels: spanLabels(s) })),
    calls.keys(),
  )
  const facts = new Map<string, LlmFacts>()
  for (const [spanId, read] of calls) {
    const place = places.get(spanId)
    const call = placedCall(read, place)
    facts.set(spanId, pricedFacts(call, place?.aggregate ?? false, price))
  }
  return facts
}

/** The cost index's calls of the trace by span id, priced. */
function indexedFacts(calls: IndexedCall[], price: CallPricer | undefined): Map<string, LlmFacts> {
  return new Map(calls.map((call) => [call.spanId, pricedFacts(call, call.aggregate, price)]))
}

function pricedFacts(call: PricedCall, aggregate: boolean, price: CallPricer | undefined): LlmFacts {
  return {
    model: call.model,
    provider: call.provider,
    tokens: call.tokens,
    metered: call.metered,
    aggregate,
    costUsd: call.ownCostUsd ?? (call.metered && price ? price(call) : null),
  }
}
