// Anchor benchmark, as ratios against baselines measured in the same run:
//  1. offline .ots verification (parse, replay, header check) of a real reference proof, against hashing
//     the same proof bytes once with SHA-256;
//  2. the collector's audit aggregator (parse, Ed25519 verify, append durably) per batch of envelopes,
//     against appending the same events with appendEvents alone (the ledger's own cost).
// Run with `npm run bench:anchor` (builds first). Environment: BENCH_RUNS (default 2000), BENCH_BATCHES (20).
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const dist = new URL('../dist/src/', import.meta.url)
const load = (path) => import(new URL(path, dist).href)
const { parseOts } = await load('anchor/ots-codec.js')
const { verifyOtsProof } = await load('anchor/ots-verify.js')
const { headerFileSource } = await load('anchor/bitcoin-headers.js')
const { generateKey, loadSigner } = await load('audit/keyring.js')
const { appendEvents } = await load('audit/ledger.js')
const { sealEnvelope } = await load('audit/envelope.js')
const { createAuditAggregator } = await load('collector/audit-aggregator.js')
const { CollectorMetrics } = await load('collector/metrics.js')

const runs = Number(process.env.BENCH_RUNS ?? 2000)
const batches = Number(process.env.BENCH_BATCHES ?? 20)
const fixtures = new URL('../test/fixtures/anchor/', import.meta.url).pathname
const proofBytes = readFileSync(join(fixtures, 'ots/hello-world.txt.ots'))
const headers = headerFileSource(join(fixtures, 'bitcoin-headers.txt'))

async function time(fn, n) {
  for (let i = 0; i < Math.min(50, n); i++) await fn(i)
  const start = process.hrtime.bigint()
  for (let i = 0; i < n; i++) await fn(i)
  return Number(process.hrtime.bigint() - start) / 1e6 / n
}

const digest = parseOts(proofBytes).digest
const hashMs = await time(() => createHash('sha256').update(proofBytes).digest(), runs)
const verifyMs = await time(async () => {
  const result = await verifyOtsProof(parseOts(proofBytes), digest, { headers })
  if (!result.verified) throw new Error('the reference proof did not verify')
}, runs)

const home = mkdtempSync(join(tmpdir(), 'goblin-bench-anchor-'))
await generateKey(join(home, 'keys'), 'ledger')
await generateKey(join(home, 'svc'), 'svc')
const ledgerSigner = loadSigner(join(home, 'keys'), 'ledger').signer
const serviceSigner = loadSigner(join(home, 'svc'), 'svc').signer
const batchSize = 100
const event = (i) => ({ goblin_id: 'bench', action: `step.${i}`, decision: 'allow', trace_id: null })
// The aggregator appends each source envelope once (by kid and seq): every timed call gets new ones, sealed
// before timing (time() calls the function twice per batch: warm-up, then timed).
const recordSets = Array.from({ length: 2 * batches }, (_, k) =>
  Array.from({ length: batchSize }, (_, i) => ({
    eventName: 'goblin.audit',
    attributes: {},
    body: JSON.stringify(sealEnvelope(event(i), k * batchSize + i, new Date(), serviceSigner)),
  })),
)
const records = recordSets[0]
const aggregator = createAuditAggregator({
  ledgerDir: join(home, 'aggregated'),
  signer: ledgerSigner,
  trusted: [{ verifier: serviceSigner, record: null }],
  metrics: new CollectorMetrics(),
})
const appendMs = await time(
  () =>
    appendEvents(
      join(home, 'plain'),
      records.map((_, i) => event(i)),
      ledgerSigner,
    ),
  batches,
)
let nextSet = 0
const aggregateMs = await time(async () => {
  const taken = await aggregator.take(recordSets[nextSet++])
  const { appended } = await taken.append()
  if (appended !== batchSize) throw new Error('the aggregator refused bench envelopes')
}, batches)
rmSync(home, { recursive: true, force: true })

console.log(`anchor, node ${process.version}`)
console.log(`sha256 of the proof (baseline)        ${(hashMs * 1000).toFixed(1).padStart(8)} µs`)
console.log(
  `.ots parse+replay+block check          ${(verifyMs * 1000).toFixed(1).padStart(8)} µs   ${(verifyMs / hashMs).toFixed(1)}x baseline`,
)
console.log(`appendEvents, ${batchSize} events (baseline)     ${appendMs.toFixed(2).padStart(8)} ms`)
console.log(
  `aggregator verify+append, ${batchSize} envelopes ${aggregateMs.toFixed(2).padStart(8)} ms   ${(aggregateMs / appendMs).toFixed(2)}x baseline`,
)
