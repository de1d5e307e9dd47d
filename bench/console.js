// Console benchmark, in Debian's Chromium (playwright-core, headless) against `goblin collector serve`:
//   trace:   navigation to the page of a 5,000-span trace until its waterfall's rows are drawn, next to the
//            same for a 10-span trace in the same run (the baseline: what is fixed cost of the page);
//   filter:  with 10,000 traces stored, a filter applied on the traces page (10,000 rows asked for) until
//            the new rows are drawn, next to the same filter asking for 100 rows;
//   assets:  the shipped files of dist/console, gzipped, against the 200 KB target.
// Spans are posted as OTLP/JSON to /v1/traces. Run with `npm run bench:console` (builds first).
// Environment: BENCH_RUNS (default 7).
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
// The tests' launcher (Node strips its types): the same Chromium, flags and fresh profile as the console tests.
import { launchChromium } from '../test/helpers/browser.ts'

const root = new URL('..', import.meta.url).pathname
const runs = Number(process.env.BENCH_RUNS ?? 7)
const home = mkdtempSync(join(tmpdir(), 'goblin-bench-console-'))
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const hex = (n, digits) => n.toString(16).padStart(digits, '0')
const nowNs = BigInt(Date.now()) * 1_000_000n

function startCollector() {
  const child = spawn(
    process.execPath,
    [join(root, 'bin/run.js'), 'collector', 'serve', '--port', '0', '--json'],
    {
      env: { ...process.env, GOBLIN_HOME: home, NO_COLOR: '1', CI: 'true' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (chunk) => {
      out += chunk
      const match = /"url":"(http:[^"]+)"/.exec(out)
      if (match) resolve({ child, url: match[1] })
    })
    child.once('exit', (code) => reject(new Error(`collector exited ${code}`)))
  })
}

const attr = (key, value) => ({
  key,
  value: typeof value === 'number' ? { intValue: String(value) } : { stringValue: value },
})

function span(traceId, id, parent, name, startNs, durationNs, attributes = []) {
  return {
    traceId,
    spanId: hex(id, 16),
    parentSpanId: parent === null ? '' : hex(parent, 16),
    name,
    kind: 1,
    startTimeUnixNano: String(startNs),
    endTimeUnixNano: String(startNs + durationNs),
    attributes,
    status: {},
  }
}

async function post(url, service, spans) {
  const body = JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [attr('service.name', service)] },
        scopeSpans: [{ scope: { name: 'bench-console' }, spans }],
      },
    ],
  })
  const res = await fetch(`${url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  })
  if (res.status !== 200) throw new Error(`POST /v1/traces: ${res.status} ${await res.text()}`)
}

/** A trace of `count` spans: a root, 50 steps, the rest tool and model calls under the steps (1 in 10 an LLM call). */
function bigTrace(traceId, count, startNs) {
  const spans = [span(traceId, 1, null, 'agent.run', startNs, 60_000_000_000n, [attr('goblin.id', 'bench')])]
  const steps = Math.min(50, count - 1)
  for (let s = 0; s < steps; s++)
    spans.push(span(traceId, 2 + s, 1, `step ${s}`, startNs + BigInt(s) * 1_000_000_000n, 900_000_000n))
  for (let i = spans.length; i < count; i++) {
    const parent = 2 + (i % steps)
    const at = startNs + BigInt(parent - 2) * 1_000_000_000n + BigInt(i % 97) * 5_000_000n
    spans.push(
      i % 10 === 0
        ? span(traceId, i + 1, parent, 'chat gpt-4o', at, 4_000_000n, [
            attr('gen_ai.operation.name', 'chat'),
            attr('gen_ai.request.model', 'gpt-4o'),
            attr('gen_ai.provider.name', 'openai'),
            attr('gen_ai.usage.input_tokens', 1200),
            attr('gen_ai.usage.output_tokens', 300),
          ])
        : span(traceId, i + 1, parent, `tool.call ${i % 7}`, at, 3_000_000n, [
            attr('tool.name', `t${i % 7}`),
          ]),
    )
  }
  return spans
}

/** Waits until the store holds every span of the big trace (the last posted). */
async function waitForTrace(url, traceId, spans) {
  for (;;) {
    const answer = await fetch(`${url}/api/traces/${traceId}`)
    if (answer.status === 200) {
      const { batches } = await answer.json()
      const stored = batches.flatMap((b) => b.scopeSpans.flatMap((s) => s.spans)).length
      if (stored >= spans) return
    }
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** ms from navigation start to the first frame with the waterfall's rows drawn. */
async function timeTracePage(page, url, traceId) {
  await page.goto('about:blank')
  await page.goto(`${url}/console/#/trace/${traceId}`)
  const handle = await page.waitForFunction(
    () => document.querySelector('.span-row') && performance.now(),
    null,
    {
      polling: 'raf',
      timeout: 30_000,
    },
  )
  return handle.jsonValue()
}

/** ms from a filter's change on the traces page until the matching rows are drawn. */
async function timeFilter(page, url, limit, goblin) {
  await page.goto('about:blank')
  await page.goto(`${url}/console/#/traces?limit=${limit}`)
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid="trace-count"]')?.textContent?.startsWith(`${n} traces`),
    Math.min(limit, 10_000),
    { timeout: 30_000 },
  )
  return page.evaluate(
    ({ limit, goblin }) =>
      new Promise((resolve) => {
        const start = performance.now()
        const expected = `${Math.min(limit, 500)} traces`
        location.hash = `#/traces?limit=${limit}&goblin=${goblin}`
        const check = () => {
          const text = document.querySelector('[data-testid="trace-count"]')?.textContent
          const row = document.querySelector(`.trace-row`)
          if (text?.startsWith(expected) && row) resolve(performance.now() - start)
          else requestAnimationFrame(check)
        }
        requestAnimationFrame(check)
      }),
    { limit, goblin },
  )
}

const { child, url } = await startCollector()
let browser
try {
  // 10,000 small traces of 20 goblins (500 each), then a 10-span and a 5,000-span trace.
  for (let batch = 0; batch < 10; batch++) {
    const spans = []
    for (let i = batch * 1000; i < (batch + 1) * 1000; i++)
      spans.push(
        span(hex(i + 1, 32), 1, null, `job ${i}`, nowNs - BigInt(i) * 1_000_000_000n, 20_000_000n, [
          attr('goblin.id', `g${i % 20}`),
        ]),
      )
    await post(url, `svc-${batch}`, spans)
  }
  const small = hex(0xa000, 32)
  const big = hex(0xb000, 32)
  await post(url, 'bench-svc', bigTrace(small, 10, nowNs))
  const bigSpans = bigTrace(big, 5000, nowNs)
  for (let i = 0; i < bigSpans.length; i += 1000) await post(url, 'bench-svc', bigSpans.slice(i, i + 1000))
  await waitForTrace(url, big, 5000)

  browser = await launchChromium()
  const page = await browser.context.newPage()
  // One warm-up of each, so the collector's price tables and Chromium's caches are loaded for both sides.
  await timeTracePage(page, url, small)
  await timeTracePage(page, url, big)
  const smallMs = []
  const bigMs = []
  for (let r = 0; r < runs; r++) {
    smallMs.push(await timeTracePage(page, url, small))
    bigMs.push(await timeTracePage(page, url, big))
  }
  const domRows = await page.evaluate(() => document.querySelectorAll('.span-row').length)
  // Scrolling the 5,000-span waterfall: ms from setting scrollTop to the frame after the rows are redrawn,
  // over 40 jumps across it, against two frames with nothing to do (what a frame costs here at all).
  const scrolling = await page.evaluate(async () => {
    const frame = () => new Promise((r) => requestAnimationFrame(r))
    const viewport = document.querySelector('[data-testid="waterfall"]')
    const idle = []
    const jumps = []
    for (let i = 0; i < 40; i++) {
      let t = performance.now()
      await frame()
      await frame()
      idle.push(performance.now() - t)
      t = performance.now()
      viewport.scrollTop = ((i * 7919) % 40) * (viewport.scrollHeight / 40)
      await frame()
      await frame()
      jumps.push(performance.now() - t)
    }
    const mid = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
    return { idle: mid(idle), jump: mid(jumps) }
  })
  // Collapsing the root (hiding 4,999 spans) and expanding it again: ms from the click to the frame in
  // which the list has its new length.
  const toggleMs = () =>
    page.evaluate(
      () =>
        new Promise((resolve) => {
          const list = document.querySelector('[data-testid="waterfall"]').firstChild
          const before = list.style.height
          const start = performance.now()
          document.querySelector('.span-row .toggle').click()
          const check = () =>
            list.style.height !== before ? resolve(performance.now() - start) : requestAnimationFrame(check)
          requestAnimationFrame(check)
        }),
    )
  await page.evaluate(() => {
    document.querySelector('[data-testid="waterfall"]').scrollTop = 0
  })
  await page.waitForTimeout(100)
  const collapseMs = await toggleMs()
  const expandMs = await toggleMs()
  const apiStart = performance.now()
  const model = await (await fetch(`${url}/api/goblin/traces/${big}/waterfall`)).json()
  const apiMs = performance.now() - apiStart

  const filter100 = []
  const filter10k = []
  for (let r = 0; r < runs; r++) {
    filter100.push(await timeFilter(page, url, 100, `g${r % 20}`))
    filter10k.push(await timeFilter(page, url, 10_000, `g${r % 20}`))
  }

  const dir = join(root, 'dist', 'console')
  const assets = readdirSync(dir).map((name) => {
    const bytes = readFileSync(join(dir, name))
    return { name, bytes: bytes.length, gzipped: gzipSync(bytes, { level: 9 }).length }
  })
  const gzipped = assets.reduce((n, a) => n + a.gzipped, 0)

  const ms = (x) => `${x.toFixed(0)} ms`
  console.log(
    `machine: load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, ${runs} runs, medians`,
  )
  console.log(`trace page, 10 spans (baseline):     ${ms(median(smallMs))}`)
  console.log(
    `trace page, 5,000 spans:             ${ms(median(bigMs))}  (${(median(bigMs) / median(smallMs)).toFixed(2)}x the baseline; target < 1,000 ms)`,
  )
  console.log(
    `  waterfall endpoint alone:          ${ms(apiMs)} (${model.spanCount} spans); rows in the DOM: ${domRows}`,
  )
  console.log(
    `  scroll jump, rows redrawn:         ${scrolling.jump.toFixed(1)} ms (${(scrolling.jump / scrolling.idle).toFixed(2)}x two idle frames, ${scrolling.idle.toFixed(1)} ms)`,
  )
  console.log(`  collapse the root / expand it:     ${ms(collapseMs)} / ${ms(expandMs)}`)
  console.log(`filter, 100 rows asked (baseline):   ${ms(median(filter100))}`)
  console.log(
    `filter, 10,000 traces, 10,000 asked: ${ms(median(filter10k))}  (${(median(filter10k) / median(filter100)).toFixed(2)}x the baseline)`,
  )
  for (const a of assets) console.log(`  ${a.name.padEnd(12)} ${a.bytes} bytes, ${a.gzipped} gzipped`)
  console.log(`assets gzipped:                      ${(gzipped / 1024).toFixed(1)} KB (target < 200 KB)`)
} finally {
  await browser?.close()
  child.kill('SIGTERM')
  await new Promise((r) => child.once('exit', r))
  rmSync(home, { recursive: true, force: true })
}
