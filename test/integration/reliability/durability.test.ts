import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa, type ResultPromise } from 'execa'
import { afterEach, describe, expect, it } from 'vitest'
import { GOBLIN_BIN, tempDir } from '../../helpers/cli.js'

/**
 * What a 200 from the collector survives, seen in the system calls of the real `goblin collector serve`
 * (strace, from Debian): with `collector.durability` power-loss (the default) every request's commit
 * fsyncs the SQLite WAL before the answer, so the span is on disk even if the machine loses power next;
 * with process-crash no fsync happens between checkpoints. No test here can cut the power: the fsync is
 * what the guarantee rests on.
 */
describe('collector.durability, by the fsyncs behind each 200', { timeout: 60_000 }, () => {
  const cleanups: Array<() => void> = []
  let collector: ResultPromise | undefined
  let collectorPid: number | undefined
  afterEach(async () => {
    // Signal the collector itself: strace, signalled, would detach and leave it running.
    if (collectorPid) process.kill(collectorPid, 'SIGTERM')
    await collector
    collector = undefined
    collectorPid = undefined
    for (const cleanup of cleanups.splice(0)) cleanup()
  })

  async function walFsyncsPerRequest(durability: 'power-loss' | 'process-crash' | undefined) {
    const dir = tempDir('goblin-durability-')
    cleanups.push(dir.cleanup)
    if (durability)
      writeFileSync(join(dir.path, 'goblin.config.json'), JSON.stringify({ collector: { durability } }))
    const trace = join(dir.path, 'strace.txt')
    collector = execa(
      'strace',
      [
        '-f',
        '-y',
        '-e',
        'trace=fsync,fdatasync',
        '-o',
        trace,
        process.execPath,
        GOBLIN_BIN,
        'collector',
        'serve',
        '--port',
        '0',
        '--json',
      ],
      { cwd: dir.path, env: { GOBLIN_HOME: join(dir.path, 'home') }, reject: false },
    )
    const url = await new Promise<string>((resolve) =>
      collector?.stdout?.on('data', (chunk: Buffer) => {
        const line = chunk.toString().split('\n')[0] ?? ''
        if (!line.includes('"listening"')) return
        const listening = JSON.parse(line) as { url: string; pid: number }
        collectorPid = listening.pid
        resolve(listening.url)
      }),
    )
    const walFsyncs = () =>
      readFileSync(trace, 'utf8')
        .split('\n')
        .filter((l) => /spans\.db-wal>\) = 0$/.test(l)).length
    const before = walFsyncs()
    const requests = 5
    for (let i = 1; i <= requests; i++) {
      const span = {
        traceId: i.toString(16).padStart(32, '0'),
        spanId: i.toString(16).padStart(16, '0'),
        name: `request ${i}`,
        startTimeUnixNano: '1700000000000000000',
        endTimeUnixNano: '1700000000100000000',
      }
      const res = await fetch(`${url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }),
      })
      expect(res.status).toBe(200)
    }
    return (walFsyncs() - before) / requests
  }

  it('power-loss, the default: the WAL is fsynced for every request before its 200', async () => {
    expect(await walFsyncsPerRequest(undefined)).toBeGreaterThanOrEqual(1)
  })

  it('power-loss, set explicitly, is the same', async () => {
    expect(await walFsyncsPerRequest('power-loss')).toBeGreaterThanOrEqual(1)
  })

  it('process-crash: no fsync behind the 200s (an OS crash or power loss can lose them)', async () => {
    expect(await walFsyncsPerRequest('process-crash')).toBe(0)
  })
})

describe('the audit ledger, by its fsyncs', { timeout: 60_000 }, () => {
  it('the first append syncs the log, its new directory and the new directory into its parent', async () => {
    const dir = tempDir('goblin-ledger-durability-')
    try {
      const home = join(dir.path, 'home')
      const env = { GOBLIN_HOME: home }
      expect(
        (await execa(process.execPath, [GOBLIN_BIN, 'audit', 'keygen'], { env, reject: false })).exitCode,
      ).toBe(0)
      const trace = join(dir.path, 'strace.txt')
      const sign = await execa(
        'strace',
        [
          '-f',
          '-y',
          '-e',
          'trace=fsync,fdatasync',
          '-o',
          trace,
          process.execPath,
          GOBLIN_BIN,
          'audit',
          'sign',
          '--goblin',
          'g',
          '--action',
          'a',
          '--decision',
          'allow',
        ],
        { env, reject: false },
      )
      expect(sign.exitCode, sign.stderr).toBe(0)
      const synced = readFileSync(trace, 'utf8')
        .split('\n')
        .flatMap((line) => /fsync\(\d+<([^>]+)>\) = 0$/.exec(line)?.[1] ?? [])
      // The entry, the log's directory entry, and audit/'s entry in GOBLIN_HOME: all before "appended".
      expect(synced).toEqual(
        expect.arrayContaining([join(home, 'audit', 'log.jsonl'), join(home, 'audit'), home]),
      )
    } finally {
      dir.cleanup()
    }
  })
})
