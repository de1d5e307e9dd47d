import { describe, expect, it } from 'vitest'
import { buildWaterfall } from '../../../src/trace/waterfall.js'
import { stripAnsi } from '../../../src/ui/style.js'
import { renderWaterfall } from '../../../src/ui/waterfall.js'
import { makeSpan, spanIdOf, traceIdOf } from '../collector/make-spans.js'

const t = traceIdOf(1)

describe('waterfall model', () => {
  it('builds the tree in start order with offsets, durations and glyphs', () => {
    const w = buildWaterfall([
      makeSpan({
        traceId: t,
        spanId: spanIdOf(3),
        parentSpanId: spanIdOf(1),
        name: 'second',
        startMs: 50,
        durationMs: 40,
      }),
      makeSpan({ traceId: t, spanId: spanIdOf(1), name: 'root', durationMs: 100 }),
      makeSpan({
        traceId: t,
        spanId: spanIdOf(2),
        parentSpanId: spanIdOf(1),
        name: 'first',
        startMs: 10,
        durationMs: 30,
      }),
      makeSpan({
        traceId: t,
        spanId: spanIdOf(4),
        parentSpanId: spanIdOf(2),
        name: 'leaf',
        startMs: 15,
        durationMs: 5,
        statusCode: 2,
      }),
    ])
    expect(
      w.rows.map((r) =>
        r.type === 'span' ? `${r.prefix}${r.span.name}@${r.offsetMs}+${r.durationMs}` : 'x',
      ),
    ).toEqual(['root@0+100', '├─ first@10+30', '│  └─ leaf@15+5', '└─ second@50+40'])
    expect(w).toMatchObject({ spanCount: 4, errorCount: 1, durationMs: 100, orphans: 0, services: ['svc'] })
  })

  it('shows spans whose parent is missing as extra roots and counts them', () => {
    const w = buildWaterfall([
      makeSpan({ traceId: t, spanId: spanIdOf(2), parentSpanId: spanIdOf(9), name: 'orphan' }),
      makeSpan({ traceId: t, spanId: spanIdOf(1), name: 'root', startMs: 1 }),
    ])
    expect(w.orphans).toBe(1)
    expect(w.rows.map((r) => r.depth)).toEqual([0, 0])
  })

  it('collapses siblings past maxChildren and hides depth past --depth', () => {
    const spans = [makeSpan({ traceId: t, spanId: spanIdOf(1), name: 'root', durationMs: 5000 })]
    for (let i = 0; i < 4_999; i++) {
      spans.push(
        makeSpan({
          traceId: t,
          spanId: spanIdOf(i + 2),
          parentSpanId: spanIdOf(1),
          name: i % 2 ? 'chat gpt-4o' : 'tool',
          startMs: i,
          durationMs: 1,
          statusCode: i === 4_000 ? 2 : 0,
        }),
      )
    }
    const w = buildWaterfall(spans, { maxChildren: 20 })
    expect(w.rows).toHaveLength(22)
    const last = w.rows.at(-1)
    expect(last).toMatchObject({ type: 'collapsed', count: 4_979, errors: 1, offsetMs: 20 })
    expect(buildWaterfall(spans, { maxChildren: Number.POSITIVE_INFINITY }).rows).toHaveLength(5_000)
    const shallow = buildWaterfall(spans, { depth: 0 })
    expect(shallow.rows).toEqual([expect.objectContaining({ type: 'span', hiddenDescendants: 4_999 })])
  })

  it('handles a 5,000-deep chain without exhausting the stack', () => {
    const spans = Array.from({ length: 5_000 }, (_, i) =>
      makeSpan({ traceId: t, spanId: spanIdOf(i + 1), parentSpanId: i ? spanIdOf(i) : null, startMs: i }),
    )
    expect(buildWaterfall(spans).rows).toHaveLength(5_000)
  })

  it('reads each LLM span by the one call model, prices it, and leaves aggregates out of the total', () => {
    const usage = (input: number, output: number) => ({
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.system': 'openai.chat',
      'gen_ai.usage.input_tokens': input,
      'gen_ai.usage.output_tokens': output,
    })
    const w = buildWaterfall(
      [
        makeSpan({ traceId: t, spanId: spanIdOf(1), name: 'invoke_agent', attributes: usage(3_000, 300) }),
        makeSpan({ traceId: t, spanId: spanIdOf(2), parentSpanId: spanIdOf(1), name: 'step 1' }),
        makeSpan({
          traceId: t,
          spanId: spanIdOf(3),
          parentSpanId: spanIdOf(2),
          name: 'chat',
          attributes: usage(1_000, 100),
        }),
        makeSpan({
          traceId: t,
          spanId: spanIdOf(4),
          parentSpanId: spanIdOf(2),
          name: 'chat',
          attributes: { ...usage(2_000, 200), 'llm.cost': 0.5 },
        }),
        makeSpan({ traceId: t, spanId: spanIdOf(5), parentSpanId: spanIdOf(2), name: 'http GET' }),
      ],
      { price: (call) => call.tokens.input * 1e-6 + call.tokens.output * 1e-5 },
    )
    const llm = new Map(w.rows.flatMap((r) => (r.type === 'span' ? [[r.span.spanId, r.llm]] : [])))
    expect(llm.get(spanIdOf(1))).toMatchObject({ aggregate: true, provider: 'openai' })
    expect(llm.get(spanIdOf(3))).toMatchObject({
      model: 'gpt-4o-2024-08-06',
      aggregate: false,
      tokens: { input: 1_000, output: 100 },
      costUsd: 0.002,
    })
    expect(llm.get(spanIdOf(4))?.costUsd).toBe(0.5)
    expect(llm.get(spanIdOf(5))).toBeNull()
    expect(w.costUsd).toBe(0.502)
  })

  it('renders plain text with bars, status and LLM facts', () => {
    const w = buildWaterfall([
      makeSpan({ traceId: t, spanId: spanIdOf(1), name: 'agent run', durationMs: 100 }),
      makeSpan({
        traceId: t,
        spanId: spanIdOf(2),
        parentSpanId: spanIdOf(1),
        name: 'chat gpt-4o',
        startMs: 50,
        durationMs: 50,
        statusCode: 2,
        statusMessage: 'rate limited',
        attributes: {
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': 10,
          'gen_ai.usage.output_tokens': 5,
          'llm.cost': 0.5,
        },
      }),
    ])
    const text = renderWaterfall(w, { color: false, columns: 120 })
    const lines = text.split('\n')
    expect(lines[0]).toMatch(/^trace 0+1 {2}2 spans {2}1 error {2}100ms .* cost \$0\.50/)
    expect(lines[1]).toMatch(/^agent run +█+ +100ms {2}\s+svc$/)
    expect(lines[2]).toMatch(
      /└─ chat gpt-4o +█+ +50\.0ms {2}ERROR {2}gpt-4o 10→5 tok \$0\.50 {2}rate limited$/,
    )
    // The child's bar starts half-way along the root's.
    const barStart = (line: string) => line.indexOf('█')
    expect(barStart(lines[2] as string) - barStart(lines[1] as string)).toBeGreaterThan(10)
  })

  it('colours the same lines it prints plain', () => {
    const strip = (text: string) =>
      stripAnsi(text)
        .split('\n')
        .map((l) => l.trimEnd())
        .join('\n')
    for (const size of [3, 150]) {
      const spans = Array.from({ length: size }, (_, i) =>
        makeSpan({
          traceId: t,
          spanId: spanIdOf(i + 1),
          parentSpanId: i ? spanIdOf(1) : null,
          startMs: i,
          statusCode: i === 1 ? 2 : 0,
        }),
      )
      const w = buildWaterfall(spans, { maxChildren: Number.POSITIVE_INFINITY })
      const coloured = renderWaterfall(w, { color: true, columns: 120 })
      expect(coloured).toContain('\u001B[31m')
      expect(strip(coloured)).toBe(renderWaterfall(w, { color: false, columns: 120 }))
    }
  })

  it('takes the index’s calls where given: a span row shows the merged call, a log-only call counts in the total', () => {
    const spans = [
      makeSpan({ traceId: t, spanId: spanIdOf(1), name: 'interaction', durationMs: 100 }),
      makeSpan({
        traceId: t,
        spanId: spanIdOf(2),
        parentSpanId: spanIdOf(1),
        name: 'llm_request',
        attributes: {
          'gen_ai.request.model': 'm',
          'gen_ai.usage.input_tokens': 10,
          'gen_ai.usage.output_tokens': 5,
        },
      }),
    ]
    const tokens = { input: 10, output: 5, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, reasoning: 0 }
    const call = { model: 'm', provider: null, tokens, metered: true, aggregate: false }
    const price = () => 1
    const w = buildWaterfall(spans, {
      price,
      calls: [
        { ...call, spanId: spanIdOf(2), onSpan: true, ownCostUsd: 0.25 },
        { ...call, spanId: 'ab'.repeat(8), onSpan: false, ownCostUsd: null },
      ],
    })
    const row = w.rows.find((r) => r.type === 'span' && r.span.name === 'llm_request')
    expect(row?.type === 'span' && row.llm?.costUsd).toBe(0.25)
    expect(w.costUsd).toBe(1.25)
    expect(w.logOnlyCalls).toBe(1)
    expect(renderWaterfall(w, { color: false, columns: 120 })).toContain(
      '1 LLM call(s) reported by log events only',
    )
    // Read from the spans alone, the same span is priced from its tokens and the log-only call is unknown.
    expect(buildWaterfall(spans, { price }).costUsd).toBe(1)
  })
})
