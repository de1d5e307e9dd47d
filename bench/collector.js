// Collector benchmark: `goblin collector serve` (the real command, its own process) ingesting protobuf
// batches of 512 spans sent by a separate load process, against a baseline measured in the same run (the
// same payloads decoded in a bare loop). Then: memory held at BENCH_SPANS stored spans, and `goblin trace
// list` / `goblin trace show` (a 5,000-span trace) over that store, against `goblin --version`.
// Run with `npm run bench:collector` (builds first). Environment: BENCH_SPANS (default 1,000,000),
// BENCH_CONCURRENCY (default 4 requests in flight: more only adds queueing on 2 cores), BENCH_RUNS (CLI timings, default 5).
// The metrics section does the same for OTLP metric points on /v1/metrics: BENCH_METRIC_POINTS (default 500,000);
// BENCH_SECTION=stores runs only the store candidates, =ingest only the ingest and query part, =metrics only that section, =memory only the peak
// RSS per request size, =durability only the synchronous=NORMAL/FULL comparison.
import { spawn, spawnSync } from 'node:child_process'
import {
  closeSync,
  fsyncSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const BATCH = 512
/** Metrics per batch and attribute sets per metric: 8 x 64 = one 512-point export request. */
const METRICS_PER_BATCH = 8
const SETS_PER_METRIC = BATCH / METRICS_PER_BATCH
const totalSpans = Number(process.env.BENCH_SPANS ?? 1_000_000)
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4)
const runs = Number(process.env.BENCH_RUNS ?? 5)
const bin = new URL('../bin/run.js', import.meta.url).pathname
const dist = new URL('../dist/src/', import.meta.url).pathname

if (process.argv[2] === '--load') await loadProcess()
else if (process.argv[2] === '--plain-server') plainServer()
else if (process.argv[2] === '--open-readonly') await openReadonly(process.argv[3], process.argv[4])
else if (process.argv[2] === '--load-metrics')
  await loadMetricsProcess(process.argv[3], Number(process.argv[4]))
else {
  // BENCH_SECTION=stores, =ingest, =metrics, =memory or =durability runs that section alone.
  const only = process.env.BENCH_SECTION
  if (!only || only === 'stores') await compareStores()
  if (!only || only === 'ingest') await main()
  if (!only || only === 'memory') await memorySection()
  if (!only || only === 'metrics') await metricsSection()
  if (!only || only === 'durability') await durabilitySection()
}

/**
 * The store choice, measured: the same span rows written in 512-row transactions and read back (one trace
 * by id; the 20 newest traces) by node:sqlite and by DuckDB (@duckdb/node-api, appender API), and whether a
 * second process can read the file while the writer has it open (CLI readers such as `goblin cost report`).
 */
async function compareStores() {
  const rows = Number(process.env.BENCH_STORE_ROWS ?? 200_000)
  const dir = mkdtempSync(join(tmpdir(), 'goblin-bench-stores-'))
  const now = 1_700_000_000_000_000_000n
  const spanRow = (i) => [
    (Math.floor(i / 16) + 1).toString(16).padStart(32, '0'),
    (i + 1).toString(16).padStart(16, '0'),
    `step ${i % 16}`,
    now + BigInt(i) * 1_000_000n,
    JSON.stringify({
      'task.id': `task-${i % 100}`,
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 1200,
    }),
  ]
  const probes = Array.from({ length: 200 }, (_, k) =>
    (((k * 7919) % (rows / 16)) + 1).toString(16).padStart(32, '0'),
  )
  const results = {}

  const { DatabaseSync } = await import('node:sqlite')
  const sqlitePath = join(dir, 'spans.db')
  const db = new DatabaseSync(sqlitePath)
  db.exec(
    'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE spans (seq INTEGER PRIMARY KEY, trace_id TEXT, span_id TEXT, name TEXT, start_ns INTEGER, attributes TEXT); CREATE INDEX spans_by_trace ON spans(trace_id); CREATE INDEX spans_by_start ON spans(start_ns);',
  )
  const insert = db.prepare(
    'INSERT INTO spans (trace_id, span_id, name, start_ns, attributes) VALUES (?,?,?,?,?)',
  )
  let t = performance.now()
  for (let b = 0; b < rows; b += BATCH) {
    db.exec('BEGIN IMMEDIATE')
    for (let i = b; i < Math.min(rows, b + BATCH); i++) insert.run(...spanRow(i))
    db.exec('COMMIT')
  }
  results.sqlite = { write: rows / ((performance.now() - t) / 1000) }
  const byTrace = db.prepare('SELECT * FROM spans WHERE trace_id = ?')
  byTrace.setReadBigInts(true)
  t = performance.now()
  for (const id of probes) byTrace.all(id)
  results.sqlite.lookupMs = (performance.now() - t) / probes.length
  t = performance.now()
  const recent = db.prepare(
    'SELECT trace_id, min(start_ns) AS s FROM spans WHERE start_ns > ? GROUP BY trace_id ORDER BY s DESC LIMIT 20',
  )
  recent.setReadBigInts(true)
  recent.all(now + BigInt(rows - 2_000) * 1_000_000n)
  results.sqlite.recentMs = performance.now() - t
  results.sqlite.concurrentReader = openReadonlyFromChild('sqlite', sqlitePath)
  db.close()

  const { DuckDBInstance } = await import('@duckdb/node-api')
  const duckPath = join(dir, 'spans.duckdb')
  const instance = await DuckDBInstance.create(duckPath)
  const con = await instance.connect()
  await con.run(
    'CREATE TABLE spans (trace_id VARCHAR, span_id VARCHAR, name VARCHAR, start_ns BIGINT, attributes VARCHAR)',
  )
  t = performance.now()
  for (let b = 0; b < rows; b += BATCH) {
    const appender = await con.createAppender('spans')
    for (let i = b; i < Math.min(rows, b + BATCH); i++) {
      const [trace, span, name, start, attrs] = spanRow(i)
      appender.appendVarchar(trace)
      appender.appendVarchar(span)
      appender.appendVarchar(name)
      appender.appendBigInt(start)
      appender.appendVarchar(attrs)
      appender.endRow()
    }
    appender.flushSync()
    appender.closeSync()
  }
  results.duckdb = { write: rows / ((performance.now() - t) / 1000) }
  const lookup = await con.prepare('SELECT * FROM spans WHERE trace_id = $1')
  t = performance.now()
  for (const id of probes) {
    lookup.bindVarchar(1, id)
    await lookup.runAndReadAll()
  }
  results.duckdb.lookupMs = (performance.now() - t) / probes.length
  t = performance.now()
  await con.runAndReadAll(
    `SELECT trace_id, min(start_ns) AS s FROM spans WHERE start_ns > ${now + BigInt(rows - 2_000) * 1_000_000n} GROUP BY trace_id ORDER BY s DESC LIMIT 20`,
  )
  results.duckdb.recentMs = performance.now() - t
  results.duckdb.concurrentReader = openReadonlyFromChild('duckdb', duckPath)
  con.closeSync()
  instance.closeSync()
  rmSync(dir, { recursive: true, force: true })

  console.log(`store candidates: ${f(rows)} span rows in ${BATCH}-row transactions`)
  for (const [name, r] of Object.entries(results)) {
    console.log(
      `  ${name.padEnd(8)} write ${f(r.write).padStart(9)} rows/s (${(r.write / results.sqlite.write).toFixed(2)}x sqlite)   trace by id ${f(r.lookupMs, 2).padStart(7)} ms (${(r.lookupMs / results.sqlite.lookupMs).toFixed(1)}x)   20 newest ${f(r.recentMs, 1).padStart(7)} ms   reader in a 2nd process while writing: ${r.concurrentReader}`,
    )
  }
  console.log('')
}

/** Opens the store read-only from another process while this one holds it open for writing. */
function openReadonlyFromChild(kind, path) {
  const r = spawnSync(process.execPath, [new URL(import.meta.url).pathname, '--open-readonly', kind, path], {
    encoding: 'utf8',
  })
  return r.status === 0
    ? r.stdout.trim()
    : `fails (${(
        r.stderr
          .trim()
          .split('\n')
          .find((l) => /lock|Error/i.test(l)) ?? 'error'
      ).slice(0, 80)})`
}

async function openReadonly(kind, path) {
  if (kind === 'sqlite') {
    const { DatabaseSync } = await import('node:sqlite')
    const db = new DatabaseSync(path, { readOnly: true })
    process.stdout.write(`ok (${db.prepare('SELECT count(*) AS n FROM spans').get().n} rows)`)
    db.close()
  } else {
    const { DuckDBInstance } = await import('@duckdb/node-api')
    const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' })
    const con = await instance.connect()
    const rows = await con.runAndReadAll('SELECT count(*) AS n FROM spans')
    process.stdout.write(`ok (${rows.getRowObjects()[0].n} rows)`)
  }
}

/** Protobuf ExportTraceServiceRequests of 512 spans: trace trees of 16 spans, LLM attributes on some. */
async function makePayloads(count, seed) {
  const { loadOtlpTypes } = await import(join(dist, 'collector/otlp-schema.js'))
  const types = await loadOtlpTypes()
  const payloads = []
  const now = BigInt(Date.now()) * 1_000_000n
  for (let b = 0; b < count; b++) {
    const spans = []
    for (let i = 0; i < BATCH; i++) {
      const trace = Buffer.alloc(16)
      trace.writeUInt32BE(seed, 0)
      trace.writeUInt32BE(b, 4)
      trace.writeUInt32BE(Math.floor(i / 16) + 1, 12)
      const span = Buffer.alloc(8)
      span.writeUInt32BE(b + 1, 0)
      span.writeUInt32BE(i + 1, 4)
      const parent = Buffer.alloc(8)
      parent.writeUInt32BE(b + 1, 0)
      parent.writeUInt32BE(i - (i % 16) + 1, 4)
      const start = now + BigInt(i) * 1_000_000n
      const llm = i % 4 === 1
      spans.push({
        traceId: trace,
        spanId: span,
        parentSpanId: i % 16 === 0 ? Buffer.alloc(0) : parent,
        name: llm ? 'chat gpt-4o' : `step ${i % 16}`,
        kind: llm ? 3 : 1,
        startTimeUnixNano: start.toString(),
        endTimeUnixNano: (start + 25_000_000n).toString(),
        attributes: [
          { key: 'task.id', value: { stringValue: `task-${b % 100}` } },
          { key: 'goblin.id', value: { stringValue: `goblin-${b % 7}` } },
          { key: 'http.response.status_code', value: { intValue: 200 } },
          ...(llm
            ? [
                { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
                { key: 'gen_ai.provider.name', value: { stringValue: 'openai' } },
                { key: 'gen_ai.usage.input_tokens', value: { intValue: 1200 } },
                { key: 'gen_ai.usage.output_tokens', value: { intValue: 300 } },
                { key: 'llm.cost', value: { doubleValue: 0.0075 } },
              ]
            : []),
        ],
        status: { code: i % 97 === 0 ? 2 : 0 },
      })
    }
    const message = types.traceRequest.fromObject({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: `svc-${b % 5}` } }] },
          scopeSpans: [{ scope: { name: 'bench' }, spans }],
        },
      ],
    })
    const bytes = Buffer.from(types.traceRequest.encode(message).finish())
    // Where each trace id sits in the encoding, so the load process can make every batch's ids unique.
    const offsets = []
    for (let g = 0; g < BATCH / 16; g++) {
      const id = Buffer.alloc(16)
      id.writeUInt32BE(seed, 0)
      id.writeUInt32BE(b, 4)
      id.writeUInt32BE(g + 1, 12)
      const tagged = Buffer.concat([Buffer.from([0x0a, 0x10]), id])
      for (let at = bytes.indexOf(tagged); at !== -1; at = bytes.indexOf(tagged, at + 18))
        offsets.push(at + 2)
    }
    if (offsets.length !== BATCH) throw new Error(`found ${offsets.length} trace ids in batch ${b}`)
    bytes.offsets = offsets
    payloads.push(bytes)
  }
  return { payloads, types }
}

/** The load process: sends BENCH_SPANS spans as 512-span batches, `concurrency` in flight; every 10th batch also measures ingest-to-queryable. */
async function loadProcess() {
  const url = process.argv[3]
  const spans = Number(process.argv[4])
  const { payloads } = await makePayloads(64, 7)
  const batches = Math.ceil(spans / BATCH)
  let next = 0
  let sent = 0
  let refused = 0
  const latencies = []
  const start = performance.now()
  async function worker() {
    while (next < batches) {
      const b = next++
      // Each batch gets its own trace ids: patch the seed bytes in every trace id by re-encoding once per batch.
      const payload = rewriteBatch(payloads[b % payloads.length], b)
      const probe = b % 10 === 0
      const t0 = performance.now()
      refused += await postUntilAccepted(`${url}/v1/traces`, payload.bytes)
      sent += BATCH
      if (probe) {
        for (;;) {
          const res = await fetch(`${url}/api/traces/${payload.traceId}`)
          await res.arrayBuffer()
          if (res.status === 200) break
          await new Promise((r) => setTimeout(r, 5))
        }
        latencies.push(performance.now() - t0)
      }
    }
  }
  function rewriteBatch(template, b) {
    // Trace ids carry the batch number in bytes 8..11 (zero in the template): patch them in the encoding.
    const copy = Buffer.from(template)
    for (const at of template.offsets) copy.writeUInt32BE(b + 1, at + 8)
    const first = template.offsets[0]
    return { bytes: copy, traceId: copy.subarray(first, first + 16).toString('hex') }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  const seconds = (performance.now() - start) / 1000
  latencies.sort((a, b) => a - b)
  process.stdout.write(
    `${JSON.stringify({ spans: sent, seconds, refused, p50: latencies[Math.floor(latencies.length * 0.5)], p95: latencies[Math.floor(latencies.length * 0.95)] })}\n`,
  )
}

async function main() {
  const home = mkdtempSync(join(tmpdir(), 'goblin-bench-collector-'))
  const env = { ...process.env, GOBLIN_HOME: home, NO_COLOR: '1', CI: 'true' }
  console.log(
    `collector bench: ${totalSpans.toLocaleString()} spans in batches of ${BATCH}, ${concurrency} in flight, node ${process.version}`,
  )

  // Baseline: the same kind of payloads decoded (protobufjs + mapping to SpanRecord) in a bare loop,
  // measured before and after the ingest run and averaged: on a shared machine the load drifts.
  const { payloads, types } = await makePayloads(64, 7)
  const { decodeTracesProtobuf } = await import(join(dist, 'collector/otlp-traces-protobuf.js'))
  const decodeBaseline = () => rate(2_000, payloads, (p) => decodeTracesProtobuf(p).spans.length)
  const rawBaseline = () =>
    rate(1_000, payloads, (p) => types.traceRequest.decode(p).resourceSpans[0].scopeSpans[0].spans.length)
  const decodeBefore = decodeBaseline()
  const rawBefore = rawBaseline()

  // Baseline: a plain node:http server in its own process that only reads the bodies, under the same load.
  const plain = await startPlainServer()
  const plainCpuBefore = cpuSeconds(plain.child.pid)
  const plainResult = runLoad(plain.url, totalSpans, env)
  const plainCpu = cpuSeconds(plain.child.pid) - plainCpuBefore
  plain.child.kill('SIGTERM')
  await new Promise((r) => plain.child.on('exit', r))
  const plainRate = plainResult.spans / plainResult.seconds

  // The collector: the real command in its own process; its CPU and peak RSS counted over the load alone.
  const { collector, url } = await startCollectorProcess(env)
  const idleRssMb = rssKb(collector.pid, 'VmRSS') / 1024
  resetPeakRss(collector.pid)
  const cpuBefore = cpuSeconds(collector.pid)
  const result = runLoad(url, totalSpans, env)
  const collectorCpu = cpuSeconds(collector.pid) - cpuBefore
  const peakRssMb = rssKb(collector.pid, 'VmHWM') / 1024
  const ingestRate = result.spans / result.seconds
  const decodeRate = (decodeBefore + decodeBaseline()) / 2
  const rawRate = (rawBefore + rawBaseline()) / 2

  // A 5,000-span trace (a tree 3 levels deep) for trace show.
  const bigTrace = 'beefbeefbeefbeefbeefbeefbeefbeef'
  const showSpans = []
  for (let i = 0; i < 5_000; i++) {
    const id = (i + 1).toString(16).padStart(16, '0')
    const parent = i === 0 ? undefined : i <= 50 ? 1 : Math.floor((i - 51) / 100) + 2
    showSpans.push({
      traceId: bigTrace,
      spanId: id,
      ...(parent ? { parentSpanId: parent.toString(16).padStart(16, '0') } : {}),
      name: i % 3 === 0 ? 'chat gpt-4o' : `tool ${i % 7}`,
      startTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n + BigInt(i) * 1_000_000n),
      endTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n + BigInt(i) * 1_000_000n + 5_000_000n),
      attributes: [{ key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } }],
    })
  }
  const post = await fetch(`${url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: showSpans }] }] }),
  })
  if (post.status !== 200) throw new Error(`5,000-span trace: HTTP ${post.status}`)

  const rssMb =
    Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${collector.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
  const health = await (await fetch(`${url}/metrics`)).text()
  const stored = Number(/goblin_spans_received_total (\d+)/.exec(health)?.[1] ?? 0)
  const dbMb =
    ['spans.db', 'spans.db-wal']
      .map((f) => {
        try {
          return statSync(join(home, 'spans', f)).size
        } catch {
          return 0
        }
      })
      .reduce((a, b) => a + b, 0) /
    1024 /
    1024

  // Query API times (server side of trace list / show), medians of 25 (cheap, and a shared machine is noisy),
  // then the CLI end to end.
  const apiTime = async (path) => {
    const times = []
    for (let i = 0; i < 26; i++) {
      const s = performance.now()
      const r = await fetch(`${url}${path}`)
      await r.arrayBuffer()
      if (r.status !== 200) throw new Error(`${path}: HTTP ${r.status}`)
      if (i > 0) times.push(performance.now() - s)
    }
    return median(times)
  }
  const searchMs = await apiTime('/api/search?limit=20')
  const page = await (await fetch(`${url}/api/search?limit=20`)).json()
  const pricedTraces = page.traces.filter((t) => t.llmCalls > 0 && t.costUsd > 0).length
  const searchFilteredMs = await apiTime('/api/search?limit=20&tags=status%3Derror')
  const getTraceMs = await apiTime(`/api/traces/${bigTrace}`)
  // Fetched now: after the CLI runs below, this process's idle keep-alive socket may be closing (5 s).
  const { TraceClient } = await import(join(dist, 'trace/trace-client.js'))
  const spans = await new TraceClient({ kind: 'embedded', endpoint: url, source: 'bench' }).getTrace(bigTrace)
  const cli = (args) => {
    const times = []
    for (let i = 0; i < runs + 1; i++) {
      const s = performance.now()
      const r = spawnSync(process.execPath, [bin, ...args], { env, stdio: 'ignore' })
      if (r.status !== 0) throw new Error(`goblin ${args.join(' ')} exited ${r.status}`)
      if (i > 0) times.push(performance.now() - s)
    }
    return median(times)
  }
  const versionMs = cli(['--version'])
  const listMs = cli(['trace', 'list', '--endpoint', url])
  const showMs = cli(['trace', 'show', bigTrace, '--endpoint', url])
  const showAllMs = cli(['trace', 'show', bigTrace, '--endpoint', url, '--all'])
  // The waterfall itself (model + render) for the 5,000 spans, in process.
  const { buildWaterfall } = await import(join(dist, 'trace/waterfall.js'))
  const { renderWaterfall } = await import(join(dist, 'ui/waterfall.js'))
  const renderTimes = []
  for (let i = 0; i < runs + 1; i++) {
    const s = performance.now()
    renderWaterfall(buildWaterfall(spans), { color: true, columns: 120 })
    if (i > 0) renderTimes.push(performance.now() - s)
  }
  const renderMs = median(renderTimes)

  collector.kill('SIGTERM')
  await new Promise((r) => collector.on('exit', r))
  // Every span answered 200 must be in the store once the collector has stopped.
  const { openSpanStore } = await import(join(dist, 'collector/span-store.js'))
  const reader = await openSpanStore({ dir: join(home, 'spans'), readonly: true })
  const storedAfter = reader.stats().spans
  reader.close()
  const acknowledged = result.spans + showSpans.length
  rmSync(home, { recursive: true, force: true })

  console.log('')
  row('baseline: protobufjs decode only (bare loop, mean of before and after)', f(rawRate), 'spans/s')
  row(
    'baseline: decode to SpanRecord (bare loop, mean of before and after)',
    f(decodeRate),
    'spans/s',
    '= 1.00x',
  )
  row(
    'collector ingest, separate load process',
    f(ingestRate),
    'spans/s',
    `= ${(ingestRate / decodeRate).toFixed(2)}x baseline; target 50,000: ${ingestRate >= 50_000 ? 'met' : 'MISSED'} (${(ingestRate / 50_000).toFixed(2)}x)`,
  )
  row(
    'baseline: plain node:http server reading the bodies',
    f(plainRate),
    'spans/s',
    `collector = ${(ingestRate / plainRate).toFixed(2)}x it`,
  )
  row(
    'collector CPU per million spans',
    f((collectorCpu / result.spans) * 1e6, 1),
    's',
    `plain server ${f((plainCpu / plainResult.spans) * 1e6, 1)} s (${(collectorCpu / result.spans / (plainCpu / plainResult.spans)).toFixed(1)}x)`,
  )
  row('  429/503 answers the load process retried', f(result.refused), '')
  row(
    'spans answered 200, then found in the store',
    `${f(storedAfter)} / ${f(acknowledged)}`,
    '',
    storedAfter >= acknowledged ? 'none lost' : `LOST ${f(acknowledged - storedAfter)}`,
  )
  row(
    'collector RSS idle / peak during the load',
    `${f(idleRssMb, 1)} / ${f(peakRssMb, 1)}`,
    'MB',
    `peak = ${(peakRssMb / idleRssMb).toFixed(2)}x idle`,
  )
  row('ingest-to-queryable p50 (send to found by /api/traces)', f(result.p50, 1), 'ms')
  row(
    'ingest-to-queryable p95',
    f(result.p95, 1),
    'ms',
    `target 1,000 ms: ${result.p95 < 1000 ? 'met' : 'MISSED'} (${(result.p95 / 1000).toFixed(3)}x)`,
  )
  row('spans stored', f(stored), '')
  row('collector RSS at that many stored spans', f(rssMb, 1), 'MB')
  row(
    'span store on disk (db + wal)',
    f(dbMb, 1),
    'MB',
    `${f((dbMb * 1024 * 1024) / Math.max(1, stored), 0)} bytes/span`,
  )
  row(
    'GET /api/search?limit=20',
    f(searchMs, 2),
    'ms',
    `${pricedTraces} of ${page.traces.length} traces with costs; target 5 ms: ${searchMs < 5 ? 'met' : 'MISSED'} (${(searchMs / 5).toFixed(2)}x)`,
  )
  row('GET /api/search status=error', f(searchFilteredMs, 1), 'ms')
  row(
    'GET /api/traces/{5,000-span trace}',
    f(getTraceMs, 1),
    'ms',
    `target 40 ms: ${getTraceMs < 40 ? 'met' : 'MISSED'} (${(getTraceMs / 40).toFixed(2)}x)`,
  )
  row('baseline: goblin --version', f(versionMs, 1), 'ms', '= 1.00x')
  row('goblin trace list', f(listMs, 1), 'ms', `= ${(listMs / versionMs).toFixed(2)}x --version`)
  row(
    'goblin trace show (5,000 spans, collapsed)',
    f(showMs, 1),
    'ms',
    `= ${(showMs / versionMs).toFixed(2)}x --version`,
  )
  row(
    'goblin trace show --all (5,000 rows)',
    f(showAllMs, 1),
    'ms',
    `= ${(showAllMs / versionMs).toFixed(2)}x --version`,
  )
  row(
    'waterfall model + ink render, 5,000 spans',
    f(renderMs, 1),
    'ms',
    `target 300 ms for show: ${getTraceMs + renderMs < 300 ? 'met' : 'MISSED'} (fetch + render ${(
      (getTraceMs + renderMs) / 300
    ).toFixed(2)}x)`,
  )
}

/**
 * Peak RSS of `goblin collector serve` per request size (issue 13 item 6): one request of about 1, 4 and 17
 * MB, then four 17 MB requests at once, OTLP/JSON and protobuf, each case into a fresh collector whose peak
 * (VmHWM, reset once it is idle) is reported as a ratio to its idle RSS, the baseline of the same run.
 */
async function memorySection() {
  const { loadOtlpTypes } = await import(join(dist, 'collector/otlp-schema.js'))
  const types = await loadOtlpTypes()
  console.log('')
  console.log('memory: collector peak RSS per request, a fresh collector for each case')
  for (const encoding of ['json', 'protobuf']) {
    for (const [mb, parallel] of [
      [1, 1],
      [4, 1],
      [17, 1],
      [17, 4],
    ]) {
      const { body, spans } = requestOfSize(mb * 1024 * 1024, encoding, types)
      const home = mkdtempSync(join(tmpdir(), 'goblin-bench-memory-'))
      const env = { ...process.env, GOBLIN_HOME: home, NO_COLOR: '1', CI: 'true' }
      const { collector, url } = await startCollectorProcess(env)
      await new Promise((r) => setTimeout(r, 300))
      const idleKb = rssKb(collector.pid, 'VmRSS')
      resetPeakRss(collector.pid)
      const statuses = await Promise.all(
        Array.from({ length: parallel }, async () => {
          const res = await fetch(`${url}/v1/traces`, {
            method: 'POST',
            headers: { 'content-type': encoding === 'json' ? 'application/json' : 'application/x-protobuf' },
            body,
          })
          await res.arrayBuffer()
          return res.status
        }),
      )
      const peakKb = rssKb(collector.pid, 'VmHWM')
      collector.kill('SIGTERM')
      await new Promise((r) => collector.on('exit', r))
      rmSync(home, { recursive: true, force: true })
      row(
        `${parallel === 1 ? 'one' : `${parallel} at once:`} ${f(body.length / 1024 / 1024, 1)} MB ${encoding} request${parallel === 1 ? '' : 's'} (${f(spans)} spans)`,
        `${f(idleKb / 1024, 1)} / ${f(peakKb / 1024, 1)}`,
        'MB',
        `idle / peak: peak = ${(peakKb / idleKb).toFixed(2)}x idle, ${f((peakKb - idleKb) / 1024 / ((body.length * parallel) / 1024 / 1024), 1)} MB per MB sent; answers ${[...new Set(statuses)].join(',')}`,
      )
    }
  }
}

/** An OTLP trace export request of about `bytes` bytes: traces of 16 spans, each with a 600-character prompt. */
function requestOfSize(bytes, encoding, types) {
  const prompt = 'Summarise the attached build log and name the failing step. '.repeat(10)
  const now = BigInt(Date.now()) * 1_000_000n
  const spanOf = (i) => {
    const trace = (Math.floor(i / 16) + 1).toString(16).padStart(32, '0')
    const span = (i + 1).toString(16).padStart(16, '0')
    const parent = i % 16 === 0 ? '' : (i - (i % 16) + 1).toString(16).padStart(16, '0')
    const id = (hex) => (encoding === 'json' ? hex : Buffer.from(hex, 'hex'))
    return {
      traceId: id(trace),
      spanId: id(span),
      parentSpanId: id(parent),
      name: i % 4 === 1 ? 'chat gpt-4o' : `step ${i % 16}`,
      kind: 1,
      startTimeUnixNano: String(now + BigInt(i) * 1_000_000n),
      endTimeUnixNano: String(now + BigInt(i) * 1_000_000n + 5_000_000n),
      attributes: [
        { key: 'task.id', value: { stringValue: `task-${i % 100}` } },
        { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
        { key: 'gen_ai.usage.input_tokens', value: { intValue: 1200 } },
        { key: 'gen_ai.prompt', value: { stringValue: prompt } },
      ],
    }
  }
  const perSpan = encoding === 'json' ? JSON.stringify(spanOf(1)).length + 1 : 760
  const spans = Math.max(1, Math.round(bytes / perSpan))
  const request = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bench-memory' } }] },
        scopeSpans: [{ scope: { name: 'bench' }, spans: Array.from({ length: spans }, (_, i) => spanOf(i)) }],
      },
    ],
  }
  const body =
    encoding === 'json'
      ? Buffer.from(JSON.stringify(request))
      : Buffer.from(types.traceRequest.encode(types.traceRequest.fromObject(request)).finish())
  return { body, spans }
}

/**
 * Protobuf ExportMetricsServiceRequests of 512 points each, one per export interval (10 s apart, so every
 * point is new): delta and cumulative counters, an up-down counter, a gauge, delta and cumulative
 * histograms (10 bounds) and an exponential histogram, each over 4 models x 16 sessions.
 */
async function makeMetricPayloads(count) {
  const { loadOtlpTypes } = await import(join(dist, 'collector/otlp-schema.js'))
  const types = await loadOtlpTypes()
  const start = BigInt(Date.now()) * 1_000_000n - BigInt(count) * 10_000_000_000n
  const bounds = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000]
  const payloads = []
  for (let b = 0; b < count; b++) {
    const time = start + BigInt(b + 1) * 10_000_000_000n
    const intervalStart = time - 10_000_000_000n
    const points = (cumulative, value) =>
      Array.from({ length: SETS_PER_METRIC }, (_, i) => ({
        attributes: [
          { key: 'model', value: { stringValue: `model-${i % 4}` } },
          { key: 'session.id', value: { stringValue: `session-${Math.floor(i / 4)}` } },
        ],
        startTimeUnixNano: String(cumulative ? start : intervalStart),
        timeUnixNano: String(time),
        ...value(i),
      }))
    const histogram = (cumulative) => (i) => {
      const n = cumulative ? (b + 1) * 10 : 10
      return {
        count: n,
        sum: n * (40 + i),
        bucketCounts: bounds.map(() => Math.floor(n / 11)).concat(n - 10 * Math.floor(n / 11)),
        explicitBounds: bounds,
      }
    }
    const metrics = [
      {
        name: 'bench.cost.usage',
        unit: 'USD',
        sum: {
          aggregationTemporality: 1,
          isMonotonic: true,
          dataPoints: points(false, (i) => ({ asDouble: 0.001 * (i + 1) })),
        },
      },
      {
        name: 'bench.token.usage',
        sum: {
          aggregationTemporality: 1,
          isMonotonic: true,
          dataPoints: points(false, (i) => ({ asInt: 100 + i })),
        },
      },
      {
        name: 'bench.requests',
        sum: {
          aggregationTemporality: 2,
          isMonotonic: true,
          dataPoints: points(true, (i) => ({ asInt: (b + 1) * (i + 1) })),
        },
      },
      {
        name: 'bench.active',
        sum: { aggregationTemporality: 2, dataPoints: points(true, (i) => ({ asInt: (b + i) % 7 })) },
      },
      {
        name: 'bench.queue.depth',
        gauge: { dataPoints: points(false, (i) => ({ asDouble: (b * i) % 100 })) },
      },
      {
        name: 'bench.latency',
        unit: 'ms',
        histogram: { aggregationTemporality: 1, dataPoints: points(false, histogram(false)) },
      },
      {
        name: 'bench.latency.cumulative',
        unit: 'ms',
        histogram: { aggregationTemporality: 2, dataPoints: points(true, histogram(true)) },
      },
      {
        name: 'bench.step.size',
        exponentialHistogram: {
          aggregationTemporality: 1,
          dataPoints: points(false, (i) => ({
            count: 8,
            sum: 8 * (i + 1),
            scale: 3,
            zeroCount: 0,
            positive: { offset: i, bucketCounts: [1, 1, 1, 1, 1, 1, 1, 1] },
          })),
        },
      },
    ]
    const message = types.metricsRequest.fromObject({
      resourceMetrics: [
        {
          resource: {
            attributes: [
              { key: 'service.name', value: { stringValue: 'bench-agent' } },
              { key: 'goblin.id', value: { stringValue: 'bench' } },
            ],
          },
          scopeMetrics: [{ scope: { name: 'bench', version: '1.0.0' }, metrics }],
        },
      ],
    })
    payloads.push(Buffer.from(types.metricsRequest.encode(message).finish()))
  }
  return { payloads, types }
}

/** The metrics load process: sends the batches, `concurrency` in flight. */
async function loadMetricsProcess(url, points) {
  const { payloads } = await makeMetricPayloads(Math.ceil(points / BATCH))
  let next = 0
  let refused = 0
  const start = performance.now()
  async function worker() {
    while (next < payloads.length) refused += await postUntilAccepted(`${url}/v1/metrics`, payloads[next++])
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  const seconds = (performance.now() - start) / 1000
  process.stdout.write(`${JSON.stringify({ points: payloads.length * BATCH, seconds, refused })}\n`)
}

/**
 * Metric ingest through the real collector process, as points/s against the bare decode loop of the same
 * payloads (measured before and after, averaged); then the read API and `goblin metrics show` over that store.
 */
async function metricsSection() {
  const totalPoints = Number(process.env.BENCH_METRIC_POINTS ?? 500_000)
  const home = mkdtempSync(join(tmpdir(), 'goblin-bench-metrics-'))
  const env = { ...process.env, GOBLIN_HOME: home, NO_COLOR: '1', CI: 'true' }
  console.log('')
  console.log(`metrics: ${f(totalPoints)} points in requests of ${BATCH}, ${concurrency} in flight`)
  const { payloads, types } = await makeMetricPayloads(64)
  const { decodeMetricsProtobuf } = await import(join(dist, 'collector/otlp-decode-metrics.js'))
  const decodeBaseline = () => rate(2_000, payloads, (p) => decodeMetricsProtobuf(types, p).points.length)
  const rawBaseline = () => rate(1_000, payloads, (p) => types.metricsRequest.decode(p) && BATCH)
  const decodeBefore = decodeBaseline()
  const rawBefore = rawBaseline()

  const { collector, url } = await startCollectorProcess(env)
  const load = spawnSync(
    process.execPath,
    [new URL(import.meta.url).pathname, '--load-metrics', url, String(totalPoints)],
    {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  if (load.status !== 0) throw new Error(`metrics load process exited ${load.status}`)
  const result = JSON.parse(load.stdout.trim())
  const ingestRate = result.points / result.seconds
  const decodeRate = (decodeBefore + decodeBaseline()) / 2
  const rawRate = (rawBefore + rawBaseline()) / 2

  const exposition = await (await fetch(`${url}/metrics`)).text()
  const stored = Number(/goblin_metric_points_received_total (\d+)/.exec(exposition)?.[1] ?? 0)
  const dbBytes = ['spans.db', 'spans.db-wal']
    .map((name) => {
      try {
        return statSync(join(home, 'spans', name)).size
      } catch {
        return 0
      }
    })
    .reduce((a, b) => a + b, 0)
  const apiTime = async (path) => {
    const times = []
    for (let i = 0; i < runs + 1; i++) {
      const s = performance.now()
      const r = await fetch(`${url}${path}`)
      await r.arrayBuffer()
      if (r.status !== 200) throw new Error(`${path}: HTTP ${r.status}`)
      if (i > 0) times.push(performance.now() - s)
    }
    return median(times)
  }
  const listMs = await apiTime('/api/goblin/metrics')
  const deltaMs = await apiTime('/api/goblin/metrics/bench.cost.usage?by=model')
  const cumulativeMs = await apiTime('/api/goblin/metrics/bench.requests?by=session.id')
  const cli = (args) => {
    const times = []
    for (let i = 0; i < runs + 1; i++) {
      const s = performance.now()
      const r = spawnSync(process.execPath, [bin, ...args], { env, stdio: 'ignore' })
      if (r.status !== 0) throw new Error(`goblin ${args.join(' ')} exited ${r.status}`)
      if (i > 0) times.push(performance.now() - s)
    }
    return median(times)
  }
  const versionMs = cli(['--version'])
  const showMs = cli(['metrics', 'show', 'bench.cost.usage', '--by', 'model', '--endpoint', url])
  collector.kill('SIGTERM')
  await new Promise((r) => collector.on('exit', r))
  rmSync(home, { recursive: true, force: true })

  row('baseline: protobufjs decode only (bare loop)', f(rawRate), 'points/s')
  row('baseline: decode to MetricPoint (bare loop)', f(decodeRate), 'points/s', '= 1.00x')
  row(
    'collector metric ingest, separate load process',
    f(ingestRate),
    'points/s',
    `= ${(ingestRate / decodeRate).toFixed(2)}x baseline`,
  )
  row('  429/503 answers the load process retried', f(result.refused), '')
  row(
    'metric points stored',
    f(stored),
    '',
    `${f(dbBytes / Math.max(1, stored))} bytes/point on disk (db + wal)`,
  )
  row('GET /api/goblin/metrics (8 metrics)', f(listMs, 1), 'ms')
  row('GET .../bench.cost.usage?by=model (delta)', f(deltaMs, 1), 'ms')
  row('GET .../bench.requests?by=session.id (cumul.)', f(cumulativeMs, 1), 'ms')
  row('baseline: goblin --version', f(versionMs, 1), 'ms', '= 1.00x')
  row(
    'goblin metrics show bench.cost.usage --by model',
    f(showMs, 1),
    'ms',
    `= ${(showMs / versionMs).toFixed(2)}x --version`,
  )
}

/**
 * `collector.durability`, measured: the same span load (BENCH_SYNC_SPANS, default 200,000, in 512-span
 * requests) into `goblin collector serve` with `process-crash` (SQLite synchronous=NORMAL, the baseline)
 * and `power-loss` (synchronous=FULL: an fsync of the WAL per group commit), alternated twice each so a
 * shared machine's drift falls on both; plus this disk's bare write+fsync rate, the unit FULL pays per commit.
 */
async function durabilitySection() {
  const spans = Number(process.env.BENCH_SYNC_SPANS ?? 200_000)
  console.log('')
  console.log(`durability: ${f(spans)} spans per run in requests of ${BATCH}, ${concurrency} in flight`)
  const results = { 'process-crash': [], 'power-loss': [] }
  for (const durability of ['process-crash', 'power-loss', 'process-crash', 'power-loss']) {
    const home = mkdtempSync(join(tmpdir(), 'goblin-bench-durability-'))
    writeFileSync(join(home, 'goblin.config.json'), JSON.stringify({ collector: { durability } }))
    const env = { ...process.env, GOBLIN_HOME: home, NO_COLOR: '1', CI: 'true' }
    const { collector, url } = await startCollectorProcess(env, home)
    const load = spawnSync(
      process.execPath,
      [new URL(import.meta.url).pathname, '--load', url, String(spans)],
      {
        env,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    if (load.status !== 0) throw new Error(`load process exited ${load.status}`)
    results[durability].push(JSON.parse(load.stdout.trim()))
    collector.kill('SIGTERM')
    await new Promise((r) => collector.on('exit', r))
    rmSync(home, { recursive: true, force: true })
  }
  const fsyncRate = bareFsyncRate()
  const summary = (runs) => ({
    rate: runs.reduce((sum, r) => sum + r.spans, 0) / runs.reduce((sum, r) => sum + r.seconds, 0),
    p50: median(runs.map((r) => r.p50)),
    p95: median(runs.map((r) => r.p95)),
  })
  const normal = summary(results['process-crash'])
  const full = summary(results['power-loss'])
  row('baseline: write 4 KiB + fsync, bare loop', f(fsyncRate), 'fsync/s', 'this disk')
  row('durability process-crash (synchronous=NORMAL)', f(normal.rate), 'spans/s', '= 1.00x')
  row(
    'durability power-loss (synchronous=FULL)',
    f(full.rate),
    'spans/s',
    `= ${(full.rate / normal.rate).toFixed(2)}x process-crash`,
  )
  row('  ingest-to-queryable p50 / p95, process-crash', `${f(normal.p50)} / ${f(normal.p95)}`, 'ms')
  row('  ingest-to-queryable p50 / p95, power-loss', `${f(full.p50)} / ${f(full.p95)}`, 'ms')
}

/** How many 4 KiB write+fsync rounds a second this disk does, for 2 s, in the temp directory. */
function bareFsyncRate() {
  const dir = mkdtempSync(join(tmpdir(), 'goblin-bench-fsync-'))
  const fd = openSync(join(dir, 'f'), 'w')
  const block = Buffer.alloc(4096, 1)
  let n = 0
  const start = performance.now()
  while (performance.now() - start < 2_000) {
    writeSync(fd, block)
    fsyncSync(fd)
    n++
  }
  const seconds = (performance.now() - start) / 1000
  closeSync(fd)
  rmSync(dir, { recursive: true, force: true })
  return n / seconds
}

/** Runs the load process against `url` with `spans` spans; its JSON result line. */
function runLoad(url, spans, env) {
  const load = spawnSync(
    process.execPath,
    [new URL(import.meta.url).pathname, '--load', url, String(spans)],
    {
      env,
      encoding: 'utf8',
      maxBuffer: 1 << 20,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  if (load.status !== 0) throw new Error(`load process exited ${load.status}`)
  return JSON.parse(load.stdout.trim())
}

/** The plain-server baseline: reads each request body whole, answers 200 with an empty body. */
function plainServer() {
  const server = createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      Buffer.concat(chunks)
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end()
    })
  })
  server.listen(0, '127.0.0.1', () =>
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`),
  )
  process.on('SIGTERM', () => server.close(() => process.exit(0)))
}

async function startPlainServer() {
  const child = spawn(process.execPath, [new URL(import.meta.url).pathname, '--plain-server'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const url = await new Promise((resolve, reject) => {
    let buffered = ''
    child.stdout.on('data', (d) => {
      buffered += d.toString()
      if (buffered.includes('\n')) resolve(JSON.parse(buffered.split('\n')[0]).url)
    })
    child.on('exit', (code) => reject(new Error(`plain server exited ${code}`)))
  })
  return { child, url }
}

/** User + system CPU seconds a process has used (/proc/<pid>/stat, in clock ticks of 1/100 s). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/** A /proc/<pid>/status memory line in KiB (VmRSS now, VmHWM the peak since start or the last reset). */
function rssKb(pid, field) {
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
}

/** Resets a process's peak RSS (VmHWM) to its current RSS (Linux clear_refs 5). */
function resetPeakRss(pid) {
  writeFileSync(`/proc/${pid}/clear_refs`, '5')
}

/** `goblin collector serve --json` in its own process (in `cwd`, whose goblin.config.json it reads); resolves with its URL. */
async function startCollectorProcess(env, cwd) {
  // BENCH_CPU_PROF=<dir>: the collector writes a V8 CPU profile there on exit (open it in Chrome DevTools).
  const prof = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : []
  const collector = spawn(process.execPath, [...prof, bin, 'collector', 'serve', '--port', '0', '--json'], {
    env,
    cwd,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  // A bench that fails half-way leaves no collector behind.
  const stop = () => collector.kill('SIGKILL')
  process.once('exit', stop)
  collector.once('exit', () => process.off('exit', stop))
  const url = await new Promise((resolve, reject) => {
    let buffered = ''
    collector.stdout.on('data', (d) => {
      buffered += d.toString()
      const line = buffered.split('\n')[0]
      if (buffered.includes('\n')) resolve(JSON.parse(line).url)
    })
    collector.on('exit', (code) => reject(new Error(`collector exited ${code}`)))
  })
  return { collector, url }
}

/** POSTs an OTLP protobuf body until it is accepted; returns how many 429/503 answers it retried. */
async function postUntilAccepted(url, body) {
  for (let refused = 0; ; refused++) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body,
    })
    await res.arrayBuffer()
    if (res.status === 200) return refused
    if (res.status !== 429 && res.status !== 503) throw new Error(`${url}: HTTP ${res.status}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Items per second `decodeOne` gets through, over `payloads` again and again for `ms`. */
function rate(ms, payloads, decodeOne) {
  let n = 0
  const start = performance.now()
  while (performance.now() - start < ms) for (const p of payloads) n += decodeOne(p)
  return n / ((performance.now() - start) / 1000)
}

function row(name, value, unit, extra = '') {
  console.log(`${name.padEnd(46)} ${value.padStart(12)} ${unit.padEnd(8)} ${extra}`)
}

function f(n, d = 0) {
  return n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}
