import { useEffect, useMemo, useState } from 'preact/hooks'
import type { SpanRecord } from '../../src/collector/span-record.js'
import type { LlmFacts, WaterfallRow } from '../../src/trace/waterfall.js'
import { ApiError, api, type Waterfall } from './api.js'
import { AuditDecisions } from './audit-decisions.js'
import { formatCount, formatDuration, formatTime, formatUsd } from './format.js'
import { setRouteParams } from './route.js'
import { VirtualList } from './virtual-list.js'

type SpanRow = Extract<WaterfallRow, { type: 'span' }>

const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer']
const STATUS = ['unset', 'ok', 'error']
const ROW_HEIGHT = 24

/** For each row of a depth-first waterfall, the index just past its subtree: what a collapse skips. */
export function subtreeEnds(rows: SpanRow[]): Int32Array {
  const ends = new Int32Array(rows.length)
  const open: number[] = []
  for (let i = 0; i < rows.length; i++) {
    const depth = (rows[i] as SpanRow).depth
    while (open.length > 0 && (rows[open.at(-1) as number] as SpanRow).depth >= depth)
      ends[open.pop() as number] = i
    open.push(i)
  }
  for (const i of open) ends[i] = rows.length
  return ends
}

export function TracePage({ id, params }: { id: string; params: URLSearchParams }) {
  const [model, setModel] = useState<Waterfall | null>(null)
  const [error, setError] = useState<{ message: string; candidates?: string[] } | null>(null)
  const [collapsed, setCollapsed] = useState(new Set<number>())
  useEffect(() => {
    api.waterfall(id).then(setModel, (e: Error) =>
      setError({
        message: e.message,
        candidates: e instanceof ApiError ? (e.body.candidates as string[]) : undefined,
      }),
    )
  }, [id])
  const rows = useMemo(() => (model?.rows ?? []).filter((r): r is SpanRow => r.type === 'span'), [model])
  const ends = useMemo(() => subtreeEnds(rows), [rows])
  const visible = useMemo(() => {
    const shown: number[] = []
    for (let i = 0; i < rows.length; i++) {
      shown.push(i)
      if (collapsed.has(i)) i = (ends[i] as number) - 1
    }
    return shown
  }, [rows, ends, collapsed])
  if (error)
    return (
      <section>
        <p class="error" role="alert">
          {error.message}
        </p>
        {error.candidates && (
          <ul>
            {error.candidates.map((c) => (
              <li key={c}>
                <a href={`#/trace/${c}`}>{c}</a>
              </li>
            ))}
          </ul>
        )}
      </section>
    )
  if (!model) return <p class="meta">loading trace {id}…</p>
  const selectedId = params.get('span') ?? rows[0]?.span.spanId
  const selectedIndex = rows.findIndex((r) => r.span.spanId === selectedId)
  const selected = rows[selectedIndex]
  const select = (spanId: string) => {
    const next = new URLSearchParams(params)
    next.set('span', spanId)
    setRouteParams(next)
  }
  const toggle = (i: number) => {
    const next = new Set(collapsed)
    if (next.has(i)) next.delete(i)
    else next.add(i)
    setCollapsed(next)
  }
  const total = model.durationMs || 1
  const unpriced = model.llmCalls.filter((c) => !c.aggregate && c.costUsd === null).length
  return (
    <section class="trace">
      <h1>
        trace <code data-testid="trace-id">{model.traceId}</code>
      </h1>
      <p class="meta">
        {formatTime(model.startUnixNano)} · {formatDuration(model.durationMs)} · {model.spanCount} spans ·{' '}
        {model.errorCount} errors · {model.services.join(', ')} · LLM cost{' '}
        <strong data-testid="trace-total-cost">{formatUsd(model.costUsd)}</strong>
        {unpriced > 0 && (
          <span class="warn">
            {' '}
            ({unpriced} {unpriced === 1 ? 'call' : 'calls'} not priced, not counted as $0)
          </span>
        )}
        {model.orphans > 0 && ` · ${model.orphans} spans whose parent has not arrived`}
      </p>
      <div class="trace-layout">
        <div class="waterfall">
          <VirtualList
            testId="waterfall"
            count={visible.length}
            rowHeight={ROW_HEIGHT}
            height={Math.min(Math.max(240, innerHeight - 320), visible.length * ROW_HEIGHT + 2)}
            scrollTo={visible.indexOf(selectedIndex)}
            renderRow={(v) => {
              const i = visible[v] as number
              const row = rows[i] as SpanRow
              const hasChildren = (ends[i] as number) > i + 1
              return (
                // A row holds its own collapse button, and buttons do not nest: a div with the button role.
                // biome-ignore lint/a11y/useSemanticElements: see above
                <div
                  class={`span-row${row.span.spanId === selectedId ? ' selected' : ''}${row.span.statusCode === 2 ? ' has-error' : ''}`}
                  data-span={row.span.spanId}
                  role="button"
                  tabIndex={0}
                  onClick={() => select(row.span.spanId)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' || e.key === ' ') select(row.span.spanId)
                  }}
                >
                  <span class="span-name" style={{ paddingLeft: `${row.depth * 14}px` }}>
                    {hasChildren ? (
                      <button
                        type="button"
                        class="toggle"
                        aria-label={collapsed.has(i) ? 'expand' : 'collapse'}
                        onClick={(e) => {
                          e.stopPropagation()
                          toggle(i)
                        }}
                      >
                        {collapsed.has(i) ? `▸ ${(ends[i] as number) - i - 1}` : '▾'}
                      </button>
                    ) : (
                      <span class="toggle" />
                    )}
                    {row.span.name}
                    {row.llm && !row.llm.aggregate && (
                      <span class="llm-badge">
                        {row.llm.costUsd === null ? 'LLM ?' : formatUsd(row.llm.costUsd)}
                      </span>
                    )}
                  </span>
                  <span class="bar-track">
                    <span
                      class="bar"
                      style={{
                        left: `${(row.offsetMs / total) * 100}%`,
                        width: `${Math.max(0.2, (row.durationMs / total) * 100)}%`,
                      }}
                    />
                  </span>
                  <span class="num">{formatDuration(row.durationMs)}</span>
                </div>
              )
            }}
          />
        </div>
        <aside class="panel">{selected && <SpanPanel row={selected} />}</aside>
      </div>
      <AuditDecisions traceId={model.traceId} />
    </section>
  )
}

function SpanPanel({ row }: { row: SpanRow }) {
  const s: SpanRecord = row.span
  return (
    <div data-testid="span-panel">
      <h2>{s.name}</h2>
      <dl class="facts">
        <dt>span id</dt>
        <dd>
          <code>{s.spanId}</code>
        </dd>
        <dt>parent</dt>
        <dd>
          <code>{s.parentSpanId ?? '(root)'}</code>
        </dd>
        <dt>service</dt>
        <dd>{s.serviceName}</dd>
        <dt>kind</dt>
        <dd>{KINDS[s.kind] ?? s.kind}</dd>
        <dt>status</dt>
        <dd data-testid="span-status">
          {STATUS[s.statusCode] ?? s.statusCode}
          {s.statusMessage ? `: ${s.statusMessage}` : ''}
        </dd>
        <dt>start</dt>
        <dd>
          {formatTime(s.startTimeUnixNano)} (+{formatDuration(row.offsetMs)})
        </dd>
        <dt>duration</dt>
        <dd>{formatDuration(row.durationMs)}</dd>
        {s.scopeName && (
          <>
            <dt>scope</dt>
            <dd>{s.scopeName}</dd>
          </>
        )}
      </dl>
      {row.llm && <LlmFactsView llm={row.llm} />}
      <AttributeTable title="attributes" values={s.attributes} testId="span-attributes" />
      <h3>events ({s.events?.length ?? 0})</h3>
      {(s.events ?? []).map((e) => (
        <div class="event" key={`${e.timeUnixNano} ${e.name}`}>
          <strong>{e.name}</strong> <span class="meta">{formatTime(e.timeUnixNano)}</span>
          <AttributeTable values={e.attributes} />
        </div>
      ))}
      <h3>links ({s.links?.length ?? 0})</h3>
      {(s.links ?? []).map((l) => (
        <div class="event" key={`${l.traceId} ${l.spanId}`} data-testid="span-link">
          <a href={`#/trace/${l.traceId}?span=${l.spanId}`}>
            <code>
              {l.traceId.slice(0, 8)}…/{l.spanId}
            </code>
          </a>
          {l.traceState && <span class="meta"> tracestate {l.traceState}</span>}
          <AttributeTable values={l.attributes} />
        </div>
      ))}
      <AttributeTable title="resource" values={s.resource} testId="span-resource" />
    </div>
  )
}

function LlmFactsView({ llm }: { llm: LlmFacts }) {
  const t = llm.tokens
  return (
    <div class="llm" data-testid="span-llm">
      <h3>LLM call{llm.aggregate ? ' (aggregate of the calls below: not counted again)' : ''}</h3>
      <dl class="facts">
        <dt>model</dt>
        <dd data-testid="llm-model">{llm.model ?? 'unknown'}</dd>
        <dt>provider</dt>
        <dd>{llm.provider ?? 'unknown'}</dd>
        <dt>tokens</dt>
        <dd data-testid="llm-tokens">
          {llm.metered
            ? `input ${formatCount(t.input)} (cache read ${formatCount(t.cacheRead)}, cache write ${formatCount(t.cacheWrite5m + t.cacheWrite1h)}) · output ${formatCount(t.output)} (reasoning ${formatCount(t.reasoning)})`
            : 'unmetered: the sender reported no token counts'}
        </dd>
        <dt>cost</dt>
        <dd data-testid="llm-cost">
          {llm.costUsd === null
            ? llm.metered
              ? 'not priced: the price table does not know the model'
              : 'not priced: unmetered'
            : formatUsd(llm.costUsd)}
        </dd>
      </dl>
    </div>
  )
}

function AttributeTable({
  title,
  values,
  testId,
}: {
  title?: string
  values: Record<string, unknown>
  testId?: string
}) {
  const keys = Object.keys(values).sort()
  return (
    <>
      {title && (
        <h3>
          {title} ({keys.length})
        </h3>
      )}
      <table class="attrs" data-testid={testId}>
        <tbody>
          {keys.map((k) => (
            <tr key={k}>
              <th>{k}</th>
              <td>{typeof values[k] === 'string' ? (values[k] as string) : JSON.stringify(values[k])}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}
