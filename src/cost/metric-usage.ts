import type { MetricStore, MetricWindow } from '../collector/metric-store.js'
import type { AttributeValue } from '../collector/span-record.js'
import type { GroupKey, UsageFilter, UsageGroup } from '../collector/usage-groups.js'
import { normalizeProvider } from '../llm/providers.js'

/**
 * Spend that arrived only as metrics. Claude Code reports `claude_code.cost.usage` (its own USD estimate) and
 * `claude_code.token.usage` (by `type`) per session and model even when its log events are off or lost. A
 * report counts that spend for the sessions that sent no LLM call (span or log event) in the window, and
 * never for one that did: the calls are the finer record and already hold the same spend, so one session's
 * spend comes from its calls or from its metrics, never both. A metric group without a session counts only
 * when its service sent no call at all in the window.
 */

/** A sender's cost counter and token counter, and how their attributes name goblin's report keys. */
interface CostMetric {
  cost: string
  tokens: string
  /** `type` values of the token counter; its `input` excludes the cache (Anthropic's raw usage). */
  tokenTypes: { input: string; output: string; cacheRead: string; cacheCreation: string }
  /** The attribute naming the API the agent called (`firstParty`, `bedrock`, `vertex`), mapped to a provider. */
  providerAttribute: string
  providers: Record<string, string>
}

const COST_METRICS: CostMetric[] = [
  {
    cost: 'claude_code.cost.usage',
    tokens: 'claude_code.token.usage',
    tokenTypes: { input: 'input', output: 'output', cacheRead: 'cacheRead', cacheCreation: 'cacheCreation' },
    providerAttribute: 'anthropic.provider',
    providers: { firstParty: 'anthropic', bedrock: 'bedrock', vertex: 'vertex_ai', foundry: 'azure' },
  },
]

/** The metric attribute (point, else resource) each report key reads. */
const ATTRIBUTE: Record<Exclude<GroupKey, 'provider' | 'day' | 'hour'>, string> = {
  model: 'model',
  goblin: 'goblin.id',
  task: 'task.id',
  session: 'session.id',
  service: 'service.name',
}

/** Where the window's LLM calls came from: their sessions, and the services that sent any call. */
export interface CountedCalls {
  sessions: ReadonlySet<string>
  services: ReadonlySet<string>
}

const DAY_NS = 86_400_000_000_000n
const HOUR_NS = 3_600_000_000_000n

/**
 * Usage groups for the spend that only metrics carry, shaped like the ingest index's groups: the metric's USD
 * as the group's own cost (`spanCost`), its tokens, no calls (metrics do not count them), `fromMetrics` set.
 * `countCalls` answers which sessions and services sent calls in the window.
 */
export function metricUsageGroups(
  metrics: MetricStore,
  by: readonly GroupKey[],
  filter: UsageFilter,
  countCalls: () => CountedCalls,
): UsageGroup[] {
  const groups = new Map<string, UsageGroup>()
  // Asked only when some cost metric has points in the window: most stores have none.
  let counted: CountedCalls | undefined
  for (const metric of COST_METRICS) {
    const attributes = [...Object.values(ATTRIBUTE), metric.providerAttribute]
    const bucket = by.includes('hour') ? 'hour' : by.includes('day') ? 'day' : null
    for (const { window, label } of windows(filter, bucket)) {
      const cost = metrics.metricIncrease(metric.cost, window, attributes)
      if (cost.length === 0) continue
      counted ??= countCalls()
      const tokens = metrics.metricIncrease(metric.tokens, window, [...attributes, 'type'])
      for (const spent of cost) {
        const a = spent.attributes
        if (spent.increase <= 0 || !uncounted(a, counted) || !matches(a, filter)) continue
        const provider = metric.providers[text(a[metric.providerAttribute]) ?? ''] ?? null
        const keys: UsageGroup['keys'] = {}
        for (const k of by) {
          if (k === 'model' || k === 'provider') continue
          keys[k] = k === 'day' ? (label?.slice(0, 10) ?? null) : k === 'hour' ? label : text(a[ATTRIBUTE[k]])
        }
        const model = text(a.model)
        const id = JSON.stringify([model, provider, by.map((k) => keys[k])])
        const group = groups.get(id) ?? emptyGroup(model, normalizeProvider(provider), keys)
        groups.set(id, group)
        group.spanCost += spent.increase
        const count = (type: string) =>
          tokens
            .filter((t) => t.attributes.type === type && sameAttributes(t.attributes, a, attributes))
            .reduce((sum, t) => sum + t.increase, 0)
        const types = metric.tokenTypes
        const [input, cacheRead, cacheCreation] = [
          count(types.input),
          count(types.cacheRead),
          count(types.cacheCreation),
        ]
        group.tokens.input += input + cacheRead + cacheCreation
        group.tokens.output += count(types.output)
        group.tokens.cacheRead += cacheRead
        group.tokens.cacheCreation += cacheCreation
      }
    }
  }
  return [...groups.values()]
}

/**
 * The report window as the metric store's (end inclusive), or one window per UTC day or hour of it for
 * `--by day` / `--by hour`, labelled as the span index labels them (`2026-12-03`, `2026-12-03T07:00Z`).
 */
function windows(
  filter: UsageFilter,
  bucket: 'day' | 'hour' | null,
): Array<{ window: MetricWindow; label: string | null }> {
  const end = filter.untilNs - 1n
  if (!bucket) return [{ window: { startUnixNano: filter.sinceNs, endUnixNano: end }, label: null }]
  const step = bucket === 'day' ? DAY_NS : HOUR_NS
  const out: Array<{ window: MetricWindow; label: string | null }> = []
  for (let start = filter.sinceNs; start <= end; ) {
    const next = (start / step + 1n) * step
    const iso = new Date(Number(start / 1_000_000n)).toISOString()
    const label = bucket === 'day' ? iso.slice(0, 10) : `${iso.slice(0, 13)}:00Z`
    out.push({ window: { startUnixNano: start, endUnixNano: next - 1n < end ? next - 1n : end }, label })
    start = next
  }
  return out
}

function uncounted(a: Record<string, AttributeValue>, counted: CountedCalls): boolean {
  const session = text(a['session.id'])
  if (session !== null) return !counted.sessions.has(session)
  return !counted.services.has(text(a['service.name']) ?? '')
}

function matches(a: Record<string, AttributeValue>, filter: UsageFilter): boolean {
  if (filter.goblin !== undefined && text(a['goblin.id']) !== filter.goblin) return false
  if (filter.task !== undefined && text(a['task.id']) !== filter.task) return false
  return true
}

function sameAttributes(
  a: Record<string, AttributeValue>,
  b: Record<string, AttributeValue>,
  names: string[],
): boolean {
  return names.every((name) => (a[name] ?? null) === (b[name] ?? null))
}

function text(value: AttributeValue | undefined): string | null {
  return value === undefined || value === null ? null : String(value)
}

function emptyGroup(model: string | null, provider: string | null, keys: UsageGroup['keys']): UsageGroup {
  const zero = () => ({ input: 0, output: 0, cacheRead: 0, cacheCreation: 0 })
  return {
    model,
    provider,
    keys,
    calls: 0,
    unmeteredCalls: 0,
    tokens: zero(),
    spanCost: 0,
    spanCostCalls: 0,
    unpriced: zero(),
    promptSize: 0,
    fromMetrics: true,
  }
}
