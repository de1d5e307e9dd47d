// Soak: the attacks of issue 13 at once, for BENCH_SOAK_SECONDS (default 120), against the real CLI.
//   senders      3 clients posting 40-span OTLP/JSON batches to `goblin collector serve`
//   poisoner     batches carrying a span past SQLite's time range (partial success) and attributes nested
//                past the limit (400), beside good spans
//   slow client  a request body trickled a few bytes at a time, over and over
//   kill -9      of the collector every BENCH_SOAK_KILL_EVERY seconds (default 20), restarted on its port
//   signers      2 loops of `goblin audit sign --input` (100 events a batch), a third of them killed -9
//                mid-run; a torn last line is repaired with `goblin audit repair`, as an operator would
//   rotation     `goblin audit keys rotate` every 10 s, `goblin audit checkpoint` every 7 s
// Then it checks: every span answered 200 is in the store, every entry `audit sign` acknowledged is in the
// log with its leaf hash, `goblin audit verify` finds nothing wrong (no false tamper alarm), and reports the
// collector's peak RSS against its RSS when idle (the baseline, measured in the same run).
// Run with `npm run bench:soak` (builds first).
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const seconds = Number(process.env.BENCH_SOAK_SECONDS ?? 120)
const killEvery = Number(process.env.BENCH_SOAK_KILL_EVERY ?? 20)
const bin = new URL('../bin/run.js', import.meta.url).pathname
const dist = new URL('../dist/src/', import.meta.url).pathname
const home = mkdtempSync(join(tmpdir(), 'goblin-soak-'))
const env = { ...process.env, GOBLIN_HOME: home, NO_COLOR: '1', CI: 'true' }
const deadline = Date.now() + seconds * 1000
const running = () => Date.now() < deadline
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

const counts = {
  requests: 0,
  answered200: 0,
  refused: 0,
  connectionErrors: 0,
  poisonBatches: 0,
  poisonRejectedSpans: 0,
  deepRefused: 0,
  slowRequests: 0,
  collectorKills: 0,
  signerRuns: 0,
  signerKills: 0,
  repairs: 0,
  rotations: 0,
  checkpoints: 0,
}
/** traceId -> span ids answered 200. */
const ackedSpans = new Map()
/** seq -> leaf hash, from every `audit sign` that answered 0. */
const ackedEntries = new Map()
let peakRssKb = 0

console.log(
  `soak: ${seconds} s, collector killed every ${killEvery} s, node ${process.version}, GOBLIN_HOME ${home}`,
)
const goblin = (args) => spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' })
if (goblin(['audit', 'keygen', '--name', 'ci']).status !== 0) throw new Error('keygen failed')

// The collector, on a fixed port so senders find it again after each restart.
let collector = await startCollector(0)
const port = collector.port
const idleRssKb = rssKb(collector.pid, 'VmRSS')

await Promise.all([
  sender(),
  sender(),
  sender(),
  poisoner(),
  slowClient(),
  killer(),
  signer(),
  signer(),
  every(10_000, async () => {
    if ((await goblinAsync(['audit', 'keys', 'rotate', 'ci'])) === 0) counts.rotations++
  }),
  every(7_000, async () => {
    if ((await goblinAsync(['audit', 'checkpoint'])) === 0) counts.checkpoints++
  }),
  every(500, async () => {
    peakRssKb = Math.max(peakRssKb, rssKb(collector.pid, 'VmHWM'))
  }),
])
collector.process.kill('SIGTERM')
await collector.exited

// The checks.
const { openSpanStore } = await import(join(dist, 'collector/span-store.js'))
const store = await openSpanStore({ dir: join(home, 'spans'), readonly: true })
let spansAcked = 0
let spansFound = 0
for (const [traceId, spanIds] of ackedSpans) {
  const stored = new Set(store.getTrace(traceId).map((s) => s.spanId))
  spansAcked += spanIds.length
  spansFound += spanIds.filter((id) => stored.has(id)).length
}
store.close()

if (goblin(['audit', 'repair']).status !== 0) throw new Error('final repair failed')
const { leafHash } = await import(join(dist, 'audit/merkle.js'))
const lines = readFileSync(join(home, 'audit', 'log.jsonl'))
  .toString('utf8')
  .split('\n')
  .slice(0, -1)
let entriesFound = 0
for (const [seq, hash] of ackedEntries)
  if (lines[seq] !== undefined && leafHash(Buffer.from(lines[seq], 'utf8')).toString('hex') === hash)
    entriesFound++
const verify = goblin(['audit', 'verify', '--json'])
const verdict = JSON.parse(verify.stdout)
const alarms = verdict.errors ?? []

const pct = (found, acked) => (acked === 0 ? 'n/a' : `${((found / acked) * 100).toFixed(3)}%`)
row('requests sent / answered 200', `${f(counts.requests)} / ${f(counts.answered200)}`)
row('  429/503 answers, connection errors (kills)', `${f(counts.refused)}, ${f(counts.connectionErrors)}`)
row(
  'spans answered 200, then found stored',
  `${f(spansFound)} / ${f(spansAcked)}`,
  pct(spansFound, spansAcked),
  'must be 100%',
)
row(
  'poison batches (partial success), spans refused',
  `${f(counts.poisonBatches)}, ${f(counts.poisonRejectedSpans)}`,
)
row('deeply nested requests refused (400)', f(counts.deepRefused))
row('slow-client requests completed', f(counts.slowRequests))
row('collector kill -9 / signer kill -9', `${f(counts.collectorKills)} / ${f(counts.signerKills)}`)
row('audit sign runs, repairs of a torn line', `${f(counts.signerRuns)}, ${f(counts.repairs)}`)
row('key rotations, checkpoints', `${f(counts.rotations)}, ${f(counts.checkpoints)}`)
row(
  'entries acknowledged, then found in the log',
  `${f(entriesFound)} / ${f(ackedEntries.size)}`,
  pct(entriesFound, ackedEntries.size),
  'must be 100%',
)
row(
  'audit verify: false tamper alarms',
  f(alarms.length),
  verify.status === 0 ? 'exit 0' : `exit ${verify.status}`,
  'must be 0',
)
for (const alarm of alarms.slice(0, 5)) console.log(`    ${alarm.kind}: ${alarm.message}`)
row('baseline: collector RSS idle', `${f(idleRssKb / 1024, 1)} MB`, '= 1.00x')
row(
  'collector peak RSS (VmHWM, any incarnation)',
  `${f(peakRssKb / 1024, 1)} MB`,
  `= ${(peakRssKb / idleRssKb).toFixed(2)}x idle`,
)
rmSync(home, { recursive: true, force: true })
if (spansFound !== spansAcked || entriesFound !== ackedEntries.size || alarms.length > 0) process.exitCode = 1

/** Posts good 40-span batches; a 200 makes every span in it acknowledged. */
async function sender() {
  while (running()) {
    const traceId = randomBytes(16).toString('hex')
    const spans = Array.from({ length: 40 }, () => span(traceId))
    const answer = await post({ resourceSpans: [resourceSpans(spans)] })
    if (answer?.status === 200 && !answer.body.partialSuccess?.rejectedSpans) ack(traceId, spans)
  }
}

/** Good spans beside a span past SQLite's range (refused alone) and, every third time, a 400-deep attribute. */
async function poisoner() {
  for (let round = 0; running(); round++) {
    const traceId = randomBytes(16).toString('hex')
    const good = Array.from({ length: 10 }, () => span(traceId))
    const poison = { ...span(traceId), startTimeUnixNano: '18446744073709551615' }
    const answer = await post({ resourceSpans: [resourceSpans([...good, poison])] })
    if (answer?.status === 200) {
      counts.poisonBatches++
      counts.poisonRejectedSpans += Number(answer.body.partialSuccess?.rejectedSpans ?? 0)
      // The poison span is refused alone; the good ones are acknowledged.
      if (Number(answer.body.partialSuccess?.rejectedSpans ?? 0) === 1) ack(traceId, good)
    }
    if (round % 3 === 0) {
      let value = { stringValue: 'bottom' }
      for (let i = 0; i < 400; i++) value = { kvlistValue: { values: [{ key: 'k', value }] } }
      const deep = { ...span(randomBytes(16).toString('hex')), attributes: [{ key: 'deep', value }] }
      const refused = await post({ resourceSpans: [resourceSpans([deep])] })
      if (refused?.status === 400) counts.deepRefused++
    }
    await sleep(200)
  }
}

/** A request whose body arrives a few bytes every 100 ms; the collector must keep serving everyone else. */
async function slowClient() {
  while (running()) {
    const body = Buffer.from(
      JSON.stringify({ resourceSpans: [resourceSpans([span(randomBytes(16).toString('hex'))])] }),
    )
    await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.on('error', resolve)
      socket.on('close', resolve)
      socket.on('data', (chunk) => {
        if (chunk.toString().startsWith('HTTP/1.1 200')) counts.slowRequests++
        socket.end()
      })
      socket.write(
        `POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
      )
      let at = 0
      const trickle = setInterval(() => {
        if (socket.destroyed || at >= body.length) return clearInterval(trickle)
        socket.write(body.subarray(at, at + 16))
        at += 16
      }, 100)
    })
    await sleep(100)
  }
}

/** kill -9 of the collector every `killEvery` seconds, then a restart on the same port. */
async function killer() {
  while (running()) {
    await sleep(killEvery * 1000)
    if (!running()) return
    peakRssKb = Math.max(peakRssKb, rssKb(collector.pid, 'VmHWM'))
    collector.process.kill('SIGKILL')
    await collector.exited
    counts.collectorKills++
    collector = await startCollector(port)
  }
}

/** `goblin audit sign --input` in a loop; a third are killed -9 at a random moment. */
async function signer() {
  const file = join(home, `events-${randomBytes(4).toString('hex')}.jsonl`)
  while (running()) {
    const batch = randomBytes(4).toString('hex')
    writeFileSync(
      file,
      Array.from({ length: 100 }, (_, i) =>
        JSON.stringify({ goblin_id: 'soak', action: `${batch}.${i}`, decision: 'allow' }),
      ).join('\n'),
    )
    const child = spawn(process.execPath, [bin, 'audit', 'sign', '--input', file, '--json'], { env })
    let stdout = ''
    child.stdout.on('data', (d) => {
      stdout += d
    })
    const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
    counts.signerRuns++
    if (Math.random() < 1 / 3) {
      await sleep(Math.random() * 400)
      child.kill('SIGKILL')
    }
    const { code, signal } = await exited
    if (signal === 'SIGKILL') counts.signerKills++
    if (code === 0) for (const e of JSON.parse(stdout).entries) ackedEntries.set(e.seq, e.leaf_hash)
    else if (code !== null && JSON.parse(stdout || '{}').error?.code === 'AUDIT_TORN_LINE') {
      if ((await goblinAsync(['audit', 'repair'])) === 0) counts.repairs++
    }
  }
}

async function every(ms, fn) {
  while (running()) {
    await fn()
    await sleep(ms)
  }
}

/** Runs goblin without blocking the other loops; resolves its exit code. */
function goblinAsync(args) {
  const child = spawn(process.execPath, [bin, ...args], { env, stdio: 'ignore' })
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)))
}

/** POSTs OTLP/JSON; null when the collector was not there (killed, restarting). */
async function post(body) {
  counts.requests++
  try {
    const res = await fetch(`http://127.0.0.1:${port}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    const answer = { status: res.status, body: await res.json().catch(() => ({})) }
    if (res.status === 200) counts.answered200++
    if (res.status === 429 || res.status === 503) counts.refused++
    return answer
  } catch {
    counts.connectionErrors++
    await sleep(50)
    return null
  }
}

function ack(traceId, spans) {
  const ids = ackedSpans.get(traceId) ?? []
  ids.push(...spans.map((s) => s.spanId))
  ackedSpans.set(traceId, ids)
}

function span(traceId) {
  const start = BigInt(Date.now()) * 1_000_000n
  return {
    traceId,
    spanId: randomBytes(8).toString('hex'),
    name: 'soak',
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + 1_000_000n),
    attributes: [{ key: 'goblin.id', value: { stringValue: 'soak' } }],
  }
}

function resourceSpans(spans) {
  return {
    resource: { attributes: [{ key: 'service.name', value: { stringValue: 'soak' } }] },
    scopeSpans: [{ spans }],
  }
}

/** `goblin collector serve --json` on `port` (0: any); resolves once it listens. */
async function startCollector(wanted) {
  for (;;) {
    const child = spawn(process.execPath, [bin, 'collector', 'serve', '--port', String(wanted), '--json'], {
      env,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    const exited = new Promise((resolve) => child.on('exit', resolve))
    const listening = await new Promise((resolve) => {
      let buffered = ''
      child.stdout.on('data', (d) => {
        buffered += d
        if (buffered.includes('\n')) resolve(JSON.parse(buffered.split('\n')[0]))
      })
      exited.then(() => resolve(null))
    })
    // The port may still be held for a moment after a kill: try again.
    if (listening) return { process: child, pid: child.pid, port: listening.port, exited }
    await sleep(100)
  }
}

function rssKb(pid, field) {
  try {
    return Number(
      new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0,
    )
  } catch {
    return 0
  }
}

function row(name, value, extra = '', note = '') {
  console.log(`${name.padEnd(48)} ${String(value).padStart(18)}  ${extra.padEnd(14)} ${note}`)
}

function f(n, d = 0) {
  return n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })
}
