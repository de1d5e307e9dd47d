// npm run bench:audit — goblin's audit log against the raw limits measured in the same run:
//   1. Ed25519: Node's built-in crypto vs @noble/ed25519 (why goblin uses Node's).
//   2. sign 100k events as one batch vs a bare loop of the same Ed25519 sign calls over the same bytes.
//   3. verify a 1M-entry ledger on 1 thread and on all cores vs a bare loop of the same Ed25519 verify
//      and SHA-256 calls over the same bytes (single core).
//   4. the Merkle root over 1M entries vs a bare loop of the same SHA-256 calls over the same bytes.
//   5. appends per second with C2SP tiles (a checkpoint, which writes the tiles, every 20k entries) vs the
//      append path alone, in batches of 1,000; and the first checkpoint of the 1M-entry ledger.
//   6. bytes fetched over HTTP (goblin audit serve) to verify one entry's inclusion at 1M entries, and
//      one consistency proof.
//   7. peak RSS of `goblin audit verify` (a child process; default threads and every core) at 100k and
//      1M entries (10M with AUDIT_BENCH_RSS_10M=1) against a bare run, and of `goblin audit sign --input`
//      (file and stdin) per input size against a 1-event run.
// AUDIT_BENCH_ENTRIES changes the ledger size (default 1000000); AUDIT_BENCH_SIGN the batch (100000).
import { execFileSync } from 'node:child_process'
import { createHash, hash, sign, verify } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import * as noble from '@noble/ed25519'
import { createCheckpoint } from '../dist/src/audit/checkpoint-store.js'
import { signedBytes } from '../dist/src/audit/envelope.js'
import { generateKey, loadSigner } from '../dist/src/audit/keyring.js'
import { appendEvents, ledgerPaths, splitLedgerLines } from '../dist/src/audit/ledger.js'
import { leafHash, TreeBuilder } from '../dist/src/audit/merkle.js'
import { httpTileFetch, verifyRemoteLog } from '../dist/src/audit/remote-verify.js'
import { serveTiles } from '../dist/src/audit/tile-server.js'
import { tilePath } from '../dist/src/audit/tiles.js'
import { resolveTrustedKeys } from '../dist/src/audit/trust.js'
import { verifyLedger } from '../dist/src/audit/verify.js'

const ENTRIES = Number(process.env.AUDIT_BENCH_ENTRIES ?? 1_000_000)
const SIGN_BATCH = Number(process.env.AUDIT_BENCH_SIGN ?? 100_000)
const CORES = availableParallelism()
const home = mkdtempSync(join(tmpdir(), 'goblin-bench-audit-'))
const keysDir = join(home, 'keys')
const results = []

const time = (fn) => {
  const start = process.hrtime.bigint()
  const value = fn()
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, value }
}
const timeAsync = async (fn) => {
  const start = process.hrtime.bigint()
  const cpu = process.cpuUsage()
  const value = await fn()
  const used = process.cpuUsage(cpu)
  // CPU seconds of every thread of this process: per-core efficiency even when other processes hold cores.
  return {
    seconds: Number(process.hrtime.bigint() - start) / 1e9,
    cpuSeconds: (used.user + used.system) / 1e6,
    value,
  }
}
const rate = (n, seconds) => Math.round(n / seconds)
const fmt = (n) => n.toLocaleString('en-US')
const report = (name, ours, raw, target) => {
  const ratio = ours / raw
  const verdict =
    target === undefined
      ? ''
      : ratio >= target
        ? `  (target >= ${target}x: met)`
        : `  (target >= ${target}x: MISSED)`
  results.push({ name, ours, raw, ratio, target })
  console.log(
    `${name.padEnd(44)} ${fmt(ours).padStart(10)}/s vs raw ${fmt(raw).padStart(10)}/s  = ${ratio.toFixed(2)}x${verdict}`,
  )
}
const events = (n, tag) =>
  Array.from({ length: n }, (_, i) => ({
    goblin_id: `goblin-${i % 7}`,
    action: `${tag}.tool.call`,
    decision: i % 3 === 0 ? 'deny' : 'allow',
    trace_id: (i + 1).toString(16).padStart(32, '0'),
    attrs: { tool: 'search', step: i, model: 'gpt-4o-mini' },
  }))

try {
  await generateKey(keysDir, 'bench')
  const { signer } = loadSigner(keysDir)
  const raw32 = signer.publicKey

  // 1. Which Ed25519 implementation.
  console.log(`Ed25519 implementations (${CORES} cores, Node ${process.version})`)
  noble.hashes.sha512 = (m) => new Uint8Array(createHash('sha512').update(m).digest())
  const seed = Buffer.from(signer.privateKey.export({ format: 'jwk' }).d, 'base64url')
  const messages = Array.from({ length: 3000 }, (_, i) =>
    Buffer.from(`{"action":"bench ${i}","decision":"allow"}`),
  )
  const nodeSign = time(() => messages.map((m) => sign(null, m, signer.privateKey)))
  const nobleSign = time(() => messages.map((m) => noble.sign(m, seed)))
  const nodeVerify = time(() => messages.every((m, i) => verify(null, m, signer.key, nodeSign.value[i])))
  const nobleVerify = time(() => messages.every((m, i) => noble.verify(nobleSign.value[i], m, raw32)))
  if (!nodeVerify.value || !nobleVerify.value) throw new Error('a signature did not verify')
  report('sign: node:crypto vs @noble/ed25519', rate(3000, nodeSign.seconds), rate(3000, nobleSign.seconds))
  report(
    'verify: node:crypto vs @noble/ed25519',
    rate(3000, nodeVerify.seconds),
    rate(3000, nobleVerify.seconds),
  )

  // 2. Sign a batch.
  console.log(`\nsign ${fmt(SIGN_BATCH)} events as one batch (goblin audit sign --input)`)
  const signDir = join(home, 'sign')
  await appendEvents(signDir, events(2000, 'warm-up'), signer)
  const batch = events(SIGN_BATCH, 'sign')
  const toSign = (await appendEvents(join(home, 'sign-inputs'), batch, signer)).map((e) =>
    signedBytes(e.envelope),
  )
  const bareSign = () =>
    time(() => {
      for (const bytes of toSign) sign(null, bytes, signer.privateKey)
    }).seconds
  // The raw loop runs before and after ours and is averaged, so load from other processes hits both alike.
  const before = bareSign()
  const ours = await timeAsync(() => appendEvents(signDir, batch, signer))
  const bare = (before + bareSign()) / 2
  report(
    'sign batch (append, fsync) vs bare sign loop',
    rate(SIGN_BATCH, ours.seconds),
    rate(SIGN_BATCH, bare),
  )

  // 3. Verify a large ledger.
  const ledgerDir = join(home, 'ledger')
  console.log(`\nbuilding a ${fmt(ENTRIES)}-entry ledger...`)
  const built = await timeAsync(async () => {
    for (let done = 0; done < ENTRIES; done += 100_000)
      await appendEvents(ledgerDir, events(Math.min(100_000, ENTRIES - done), `b${done}`), signer)
  })
  console.log(`  appended at ${fmt(rate(ENTRIES, built.seconds))} entries/s`)
  const bytes = readFileSync(ledgerPaths(ledgerDir).log)
  const lines = splitLedgerLines(bytes)
  const lineAt = (i) => bytes.subarray(lines.starts[i], lines.ends[i])
  // The raw loop's inputs, prepared outside the timed loop: signed bytes and signature of each entry.
  const sample = Math.min(ENTRIES, 200_000)
  const prepared = Array.from({ length: sample }, (_, i) => {
    const envelope = JSON.parse(lineAt(i).toString())
    return { signed: signedBytes(envelope), sig: Buffer.from(envelope.sig, 'base64'), line: lineAt(i) }
  })
  const key = signer.key
  const rawVerifyRate = () => {
    const cpu = process.cpuUsage()
    const run = time(() => {
      let ok = true
      for (const p of prepared) {
        ok = verify(null, p.signed, key, p.sig) && ok
        hash('sha256', p.line, 'buffer')
      }
      return ok
    })
    if (!run.value) throw new Error('raw verify failed')
    const used = process.cpuUsage(cpu)
    rawCpuRates.push(rate(sample, (used.user + used.system) / 1e6))
    return rate(sample, run.seconds)
  }
  const rawCpuRates = []
  const rawCpuRate = () => Math.round(rawCpuRates.reduce((a, b) => a + b, 0) / rawCpuRates.length)
  console.log(
    `\nverify the ${fmt(ENTRIES)}-entry ledger (raw: bare verify + SHA-256 loop over ${fmt(sample)} of its entries, 1 core, run before and after)`,
  )
  const trusted = resolveTrustedKeys({ keysDir })
  let rawBefore = rawVerifyRate()
  const one = await timeAsync(() => verifyLedger(ledgerDir, trusted, { threads: 1 }))
  if (!one.value.ok)
    throw new Error(`verify (1 thread) failed: ${JSON.stringify(one.value.errors.slice(0, 3))}`)
  let rawAfter = rawVerifyRate()
  report(
    'verify, 1 thread vs raw 1 core',
    rate(ENTRIES, one.seconds),
    Math.round((rawBefore + rawAfter) / 2),
    0.8,
  )
  // The default's steady figure: wall clock on one thread moves with whatever else holds the core.
  report('verify, 1 thread per CPU-second vs raw', rate(ENTRIES, one.cpuSeconds), rawCpuRate(), 0.8)
  if (CORES > 1) {
    rawBefore = rawAfter
    const all = await timeAsync(() => verifyLedger(ledgerDir, trusted, { threads: CORES }))
    if (!all.value.ok) throw new Error('verify (all cores) failed')
    rawAfter = rawVerifyRate()
    const rawRate = Math.round((rawBefore + rawAfter) / 2)
    report(
      `verify, ${CORES} threads vs raw 1 core`,
      rate(ENTRIES, all.seconds),
      rawRate,
      CORES === 2 ? 1.5 : undefined,
    )
    report(
      `verify, ${CORES} threads per core vs raw 1 core`,
      rate(ENTRIES, all.seconds * CORES),
      rawRate,
      0.8,
    )
    // Wall-clock scaling needs idle cores; the CPU-time rate shows the per-core efficiency whatever else runs.
    report(`verify, ${CORES} threads per CPU-second vs raw`, rate(ENTRIES, all.cpuSeconds), rawCpuRate(), 0.8)
    console.log(
      `  (the ${CORES} threads had ${(all.cpuSeconds / all.seconds).toFixed(2)} cores on average; other processes held the rest)`,
    )
  }

  // 4. Merkle root.
  console.log(
    `\nMerkle root over ${fmt(ENTRIES)} entries (raw: the same ${fmt(2 * ENTRIES - 1)} SHA-256 calls on prebuilt inputs)`,
  )
  const leafInputs = Array.from({ length: ENTRIES }, (_, i) => Buffer.concat([Buffer.from([0]), lineAt(i)]))
  const nodeInput = Buffer.alloc(65, 1)
  const raw = time(() => {
    for (const input of leafInputs) hash('sha256', input, 'buffer')
    for (let i = 0; i < ENTRIES - 1; i++) hash('sha256', nodeInput, 'buffer')
  })
  const tree = time(() => {
    const builder = new TreeBuilder()
    for (let i = 0; i < ENTRIES; i++) builder.push(leafHash(lineAt(i)))
    return builder.root()
  })
  if (tree.value.toString('hex') !== one.value.root) throw new Error('Merkle roots disagree')
  report(
    'Merkle root (leaves + nodes) vs raw SHA-256 loop',
    rate(ENTRIES, tree.seconds),
    rate(ENTRIES, raw.seconds),
    0.7,
  )

  // 5. Appends with tiles.
  console.log(
    '\nappends with C2SP tiles (a checkpoint writing the tiles every 20k entries) vs the append path alone',
  )
  const APPENDS = 200_000
  const appendRun = async (dir, withTiles) =>
    (
      await timeAsync(async () => {
        for (let done = 0; done < APPENDS; done += 1000) {
          await appendEvents(dir, events(1000, `t${done}`), signer)
          if (withTiles && (done + 1000) % 20_000 === 0) await createCheckpoint(dir, signer, 'goblin/bench')
        }
      })
    ).seconds
  const plainA = await appendRun(join(home, 'plain-a'), false)
  const tiled = await appendRun(join(home, 'tiled'), true)
  const plainB = await appendRun(join(home, 'plain-b'), false)
  report(
    'appends/s with tiles vs append path alone',
    rate(APPENDS, tiled),
    rate(APPENDS, (plainA + plainB) / 2),
    0.8,
  )
  const first = await timeAsync(() => createCheckpoint(ledgerDir, signer, 'goblin/bench'))
  console.log(
    `  first checkpoint of the ${fmt(ENTRIES)}-entry ledger, every tile written: ${first.seconds.toFixed(1)} s`,
  )

  // 6. Bytes per proof over HTTP.
  const server = await serveTiles(ledgerDir, '127.0.0.1', 0)
  try {
    const trustedKeys = resolveTrustedKeys({ keysDir })
    const index = Math.floor(ENTRIES * 0.654321)
    const counter = { requests: 0, bytes: 0 }
    const remote = await verifyRemoteLog(server.url, httpTileFetch(server.url, counter), trustedKeys, {
      origins: ['goblin/bench'],
      indexes: [index],
      counter,
    })
    if (!remote.ok) throw new Error(`remote verify failed: ${JSON.stringify(remote.errors)}`)
    const bundleBytes = readFileSync(
      join(ledgerDir, tilePath({ level: 'entries', index: Math.floor(index / 256), width: 256 })),
    ).length
    const logBytes = statSync(ledgerPaths(ledgerDir).log).size
    console.log(
      `\nverify one entry's inclusion at ${fmt(ENTRIES)} entries over HTTP: ${fmt(counter.bytes)} bytes in ${counter.requests} requests (checkpoint, tiles, and the entry's bundle of ${fmt(bundleBytes)} bytes; the proof alone ${fmt(counter.bytes - bundleBytes)} bytes); the log is ${fmt(logBytes)} bytes`,
    )
    results.push({
      name: 'bytes per inclusion proof',
      ours: counter.bytes,
      raw: logBytes,
      ratio: counter.bytes / logBytes,
    })
    await appendEvents(ledgerDir, events(1000, 'grown'), signer)
    await createCheckpoint(ledgerDir, signer, 'goblin/bench')
    const since = {
      note: readFileSync(join(ledgerDir, 'checkpoints', `${ENTRIES}.note`), 'utf8'),
      file: 'since',
    }
    const c2 = { requests: 0, bytes: 0 }
    const grown = await verifyRemoteLog(server.url, httpTileFetch(server.url, c2), trustedKeys, {
      origins: ['goblin/bench'],
      since,
      counter: c2,
    })
    if (!grown.ok) throw new Error(`consistency failed: ${JSON.stringify(grown.errors)}`)
    console.log(
      `  consistency ${fmt(ENTRIES)} -> ${fmt(ENTRIES + 1000)}: ${fmt(c2.bytes)} bytes in ${c2.requests} requests`,
    )
  } finally {
    await server.close()
  }

  // 7. Peak RSS of real CLI runs.
  console.log('\npeak RSS (VmHWM) of the built CLI, over a bare `goblin --version`')
  const cli = (args, env = {}, input = undefined) => {
    const out = join(home, 'rss')
    try {
      execFileSync(process.execPath, ['--import', './bench/peak-rss.mjs', 'bin/run.js', ...args], {
        env: { ...process.env, GOBLIN_HOME: home, PEAK_RSS_FILE: out, ...env },
        input,
        stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        maxBuffer: 64 * 1024 * 1024,
      })
    } catch (error) {
      // Say why a run failed: its --json document or its error.
      throw new Error(
        `goblin ${args.join(' ')} failed: ${String(error.stdout).slice(0, 2000)} ${String(error.stderr).slice(-2000)}`,
      )
    }
    return Number(readFileSync(out, 'utf8')) * 1024
  }
  const bareRss = cli(['--version'])
  const mb = (b) => `${(b / 1024 / 1024).toFixed(0)} MB`
  console.log(`  bare: ${mb(bareRss)}`)
  const vkey = signer.vkey
  const small = join(home, 'ledger-100k')
  for (let done = 0; done < 100_000; done += 50_000)
    await appendEvents(small, events(50_000, `s${done}`), signer)
  const sizes = [
    ['100k', small],
    [fmt(ENTRIES + 1000), ledgerDir],
  ]
  if (process.env.AUDIT_BENCH_RSS_10M === '1') {
    const huge = join(home, 'ledger-10m')
    for (let done = 0; done < 10_000_000; done += 100_000)
      await appendEvents(huge, events(100_000, `h${done}`), signer)
    sizes.push(['10M', huge])
  }
  // The default (one thread) and, on a machine with more cores, every core (--threads).
  const threadCounts = CORES > 1 ? [null, CORES] : [null]
  for (const [label, dir] of sizes)
    for (const threads of threadCounts) {
      const peak = cli(
        [
          'audit',
          'verify',
          '--ledger',
          dir,
          '--key',
          vkey,
          '--origin',
          'goblin/bench',
          '--json',
          ...(threads ? ['--threads', String(threads)] : []),
        ],
        { GOBLIN_HOME: mkdtempSync(join(tmpdir(), 'goblin-bench-verify-')) },
      )
      const log = statSync(ledgerPaths(dir).log).size
      const how = threads ? `--threads ${threads}` : 'default threads'
      console.log(
        `  audit verify, ${label} entries (${mb(log)} of log), ${how}: peak ${mb(peak)}, ${mb(peak - bareRss)} over bare (target < 150 MB)`,
      )
      results.push({
        name: `verify peak RSS ${label}, ${how}`,
        ours: peak,
        raw: log,
        ratio: (peak - bareRss) / log,
      })
    }
  // sign --input over a 1-event run of its own (the command's own start-up and key loading): what the
  // batch adds. A file, and the same bytes on stdin (checked as they are copied to a private temp file).
  const signRss = (n, via) => {
    const input = join(home, `in-${n}.jsonl`)
    writeFileSync(
      input,
      `${events(n, 'in')
        .map((e) => JSON.stringify(e))
        .join('\n')}\n`,
    )
    const ledger = join(home, `sign-${n}-${via}`)
    const args = ['audit', 'sign', '--input', via === 'file' ? input : '-', '--ledger', ledger]
    return {
      peak: cli(args, {}, via === 'file' ? undefined : readFileSync(input)),
      bytes: statSync(input).size,
    }
  }
  const signBase = signRss(1, 'file').peak
  console.log(`  audit sign --input, 1 event: peak ${mb(signBase)}`)
  for (const via of ['file', 'stdin'])
    for (const n of [100_000, 300_000]) {
      const { peak, bytes } = signRss(n, via)
      const ratio = (peak - signBase) / bytes
      console.log(
        `  audit sign --input (${via}), ${fmt(n)} events (${mb(bytes)}): peak ${mb(peak)}, ${mb(peak - signBase)} over 1 event = ${ratio.toFixed(2)}x the input (target <= 2x)`,
      )
      results.push({ name: `sign peak RSS ${via} ${n}`, ours: peak - signBase, raw: bytes, ratio })
    }

  const missed = results.filter((r) => r.target !== undefined && r.ratio < r.target)
  console.log(
    missed.length === 0
      ? '\nall targets met'
      : `\n${missed.length} target(s) missed: ${missed.map((r) => r.name).join('; ')}`,
  )
} finally {
  rmSync(home, { recursive: true, force: true })
}
