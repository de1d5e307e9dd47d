import { useEffect, useRef, useState } from 'preact/hooks'
import { formatLogfmt } from '../../src/collector/search-params.js'
import { api, type TraceSummary } from './api.js'
import { SelectFilter, TextFilter } from './filter-field.js'
import { formatDuration, formatTime, formatUsd } from './format.js'
import { VirtualList } from './virtual-list.js'

/** Filters kept in the URL, and the span attribute each one searches. */
const TAG_FILTERS = [
  ['service', 'service.name', 'service'],
  ['goblin', 'goblin.id', 'goblin'],
  ['task', 'task.id', 'task'],
  ['session', 'session.id', 'session'],
] as const

const WINDOWS: Record<string, number> = { '15m': 900, '1h': 3600, '6h': 21_600, '24h': 86_400, '7d': 604_800 }
const POLL_MS = 2_000
const LIMITS = ['100', '500', '2000', '10000']

/** The search the filters make (Tempo's /api/search parameters). */
export function searchFor(params: URLSearchParams, nowMs = Date.now()): URLSearchParams {
  const tags: Record<string, string> = {}
  for (const [param, tag] of TAG_FILTERS) {
    const value = params.get(param)?.trim()
    if (value) tags[tag] = value
  }
  const status = params.get('status')
  if (status === 'error' || status === 'ok') tags.status = status
  const search = new URLSearchParams()
  if (Object.keys(tags).length > 0) search.set('tags', formatLogfmt(tags))
  const min = params.get('min')?.trim()
  if (min) search.set('minDuration', min)
  const window = WINDOWS[params.get('since') ?? '']
  if (window) search.set('start', String(Math.floor(nowMs / 1000) - window))
  search.set('limit', params.get('limit') ?? '500')
  return search
}

export function TracesPage({ params }: { params: URLSearchParams }) {
  const [traces, setTraces] = useState<TraceSummary[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const seen = useRef(new Set<string>())
  const [fresh, setFresh] = useState(new Set<string>())
  const key = params.toString()
  useEffect(() => {
    let stopped = false
    let controller: AbortController | undefined
    seen.current = new Set()
    const load = async (first: boolean) => {
      controller = new AbortController()
      try {
        const answer = await api.search(searchFor(new URLSearchParams(key)), controller.signal)
        if (stopped) return
        const arrived = new Set<string>()
        for (const t of answer.traces) {
          if (!first && !seen.current.has(t.traceID)) arrived.add(t.traceID)
          seen.current.add(t.traceID)
        }
        setFresh(arrived)
        setTraces(answer.traces)
        setError(null)
      } catch (e) {
        if (stopped || (e as Error).name === 'AbortError') return
        // The rows of the previous search would pass for this one's: show the error alone.
        setTraces(null)
        setError((e as Error).message)
      }
    }
    load(true)
    // New traces appear without a reload: the same search, again, every two seconds.
    const timer = setInterval(() => load(false), POLL_MS)
    return () => {
      stopped = true
      clearInterval(timer)
      controller?.abort()
    }
  }, [key])

  const columns = 'traces-grid'
  return (
    <section>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        {TAG_FILTERS.map(([param, , label]) => (
          <TextFilter key={param} params={params} name={param} label={label} />
        ))}
        <SelectFilter
          params={params}
          name="status"
          label="status"
          options={[
            ['', 'any'],
            ['error', 'error'],
            ['ok', 'ok'],
          ]}
        />
        <TextFilter params={params} name="min" label="min duration" placeholder="250ms" />
        <SelectFilter
          params={params}
          name="since"
          label="started"
          options={[['', 'any time'], ...Object.keys(WINDOWS).map((w): [string, string] => [w, `last ${w}`])]}
        />
        <SelectFilter
          params={params}
          name="limit"
          label="rows"
          fallback="500"
          options={LIMITS.map((n): [string, string] => [n, n])}
        />
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {traces && (
        <p class="meta" data-testid="trace-count">
          {traces.length} traces{traces.length > 0 ? ', newest first' : ''}
        </p>
      )}
      <div class={`${columns} thead`}>
        <span>started</span>
        <span>service</span>
        <span>root span</span>
        <span>goblin</span>
        <span class="num">duration</span>
        <span class="num">spans</span>
        <span class="num">errors</span>
        <span class="num">cost</span>
      </div>
      {traces && (
        <VirtualList
          testId="trace-rows"
          count={traces.length}
          rowHeight={28}
          height={Math.max(200, innerHeight - 260)}
          renderRow={(i) => {
            const t = traces[i] as TraceSummary
            return (
              <a
                class={`${columns} trace-row${fresh.has(t.traceID) ? ' fresh' : ''}${t.errorCount > 0 ? ' has-error' : ''}`}
                href={`#/trace/${t.traceID}`}
                data-trace={t.traceID}
              >
                <span>{formatTime(t.startTimeUnixNano)}</span>
                <span>{t.rootServiceName}</span>
                <span title={t.rootTraceName}>{t.rootTraceName}</span>
                <span>{t.goblinId ?? ''}</span>
                <span class="num">{formatDuration(t.durationMs)}</span>
                <span class="num">{t.spanCount}</span>
                <span class="num">{t.errorCount}</span>
                <span class="num" data-testid="trace-cost">
                  {t.llmCalls === 0 && t.costUsd === 0 ? '' : formatUsd(t.costUsd)}
                  {t.unpricedCalls > 0 && (
                    <abbr
                      title={`${t.unpricedCalls} LLM calls not priced (unknown model or unmetered): not counted as $0`}
                    >
                      {' '}
                      +{t.unpricedCalls}?
                    </abbr>
                  )}
                </span>
              </a>
            )
          }}
        />
      )}
    </section>
  )
}
