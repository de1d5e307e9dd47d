import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parseJson, runGoblin, tempDir } from '../../helpers/cli.js'
import { startListener } from '../../support/goblin-listener.js'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

interface RemoteJson {
  ok: boolean
  checkpoint: { size: number }
  since: { size: number } | null
  entries: Array<{ index: number; entry: { seq: number; action: string } }>
  fetched: { requests: number; bytes: number }
  errors: Array<{ kind: string; message: string }>
}

function home() {
  const h = tempDir('goblin-tiles-e2e-')
  cleanups.push(h.cleanup)
  const env = { GOBLIN_HOME: h.path }
  const goblin = (args: string[], input?: string) => runGoblin(args, { env, input, cwd: h.path })
  return { path: h.path, env, goblin }
}

const events = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({ goblin_id: 'g', action: `${tag}-${i}`, decision: 'allow' }),
  ).join('\n')

describe('goblin audit serve and verify --source http (built CLI)', { timeout: 240_000 }, () => {
  it('an outsider verifies the checkpoint, consistency and one entry from the tiles alone', async () => {
    const log = home()
    const vkey = parseJson<{ vkey: string }>(
      await log.goblin(['audit', 'keygen', '--name', 'example.com/audit', '--json']),
    ).vkey
    expect((await log.goblin(['audit', 'sign', '--input', '-'], events(700, 'a'))).exitCode).toBe(0)
    expect((await log.goblin(['audit', 'checkpoint'])).exitCode).toBe(0)
    const server = await startListener(['audit', 'serve', '--port', '0'], log.env)
    cleanups.push(server.stop)
    const url = server.listening.url

    // Only the tlog-tiles paths are served: not the log, not the keys.
    expect((await fetch(new URL('log.jsonl', url))).status).toBe(404)
    expect((await fetch(new URL('tile/0/../../keys/keyring.json', url))).status).toBe(404)
    const tile = await fetch(new URL('tile/0/000', url))
    expect(tile.headers.get('cache-control')).toContain('immutable')
    expect((await tile.arrayBuffer()).byteLength).toBe(8192)
    expect((await fetch(new URL('checkpoint', url), { method: 'POST' })).status).toBe(405)

    const outsider = home()
    const verifyEntry300 = () =>
      outsider.goblin(['audit', 'verify', '--source', url, '--key', vkey, '--index', '300', '--json'])
    const first = await verifyEntry300()
    expect(first.exitCode, first.stdout).toBe(0)
    const report = parseJson<RemoteJson>(first)
    expect(report).toMatchObject({ ok: true, checkpoint: { size: 700 }, since: null })
    expect(report.entries).toEqual([
      expect.objectContaining({ index: 300, entry: expect.objectContaining({ seq: 300, action: 'a-300' }) }),
    ])
    const logBytes = readFileSync(join(log.path, 'audit', 'log.jsonl')).length
    expect(report.fetched.bytes).toBeLessThan(logBytes / 2)

    // The log grows; the outsider's next verify proves consistency with what it saw.
    expect((await log.goblin(['audit', 'sign', '--input', '-'], events(100, 'b'))).exitCode).toBe(0)
    expect((await log.goblin(['audit', 'checkpoint'])).exitCode).toBe(0)
    const second = parseJson<RemoteJson>(
      await outsider.goblin(['audit', 'verify', '--source', url, '--key', vkey, '--json']),
    )
    expect(second).toMatchObject({ ok: true, checkpoint: { size: 800 }, since: { size: 700 } })

    // A tile changed under the server: leaf 256's hash, which the proof of entry 300 climbs through.
    const t = join(log.path, 'audit', 'tile', '0', '001')
    const bytes = readFileSync(t)
    bytes[0] = (bytes[0] as number) ^ 1
    writeFileSync(t, bytes)
    const tampered = await verifyEntry300()
    expect(tampered.exitCode).toBe(1)
    expect(parseJson<RemoteJson>(tampered).errors).toEqual([
      expect.objectContaining({
        kind: 'not-included',
        message: expect.stringMatching(
          /^entry 300: inclusion of 300 in 800: the proof leads to root [0-9a-f]{64}, not [0-9a-f]{64}$/,
        ),
      }),
    ])
    // Leaf 300's own hash changed: its entry no longer matches the tiles.
    bytes[0] = (bytes[0] as number) ^ 1
    bytes[44 * 32] = (bytes[44 * 32] as number) ^ 1
    writeFileSync(t, bytes)
    const leaf = parseJson<RemoteJson>(await verifyEntry300())
    expect(leaf.errors).toEqual([
      expect.objectContaining({
        kind: 'tile-mismatch',
        message: expect.stringContaining('entry 300 in tile/entries/001'),
      }),
    ])
  })

  it('detects a log rewritten from scratch with the real key (a fork) against what the outsider saw', async () => {
    const log = home()
    const vkey = parseJson<{ vkey: string }>(
      await log.goblin(['audit', 'keygen', '--name', 'example.com/audit', '--json']),
    ).vkey
    await log.goblin(['audit', 'sign', '--input', '-'], events(300, 'a'))
    await log.goblin(['audit', 'checkpoint'])
    const server = await startListener(['audit', 'serve', '--port', '0'], log.env)
    cleanups.push(server.stop)
    const outsider = home()
    expect(
      (await outsider.goblin(['audit', 'verify', '--source', server.listening.url, '--key', vkey])).exitCode,
    ).toBe(0)
    // The operator deletes the ledger and starts again with the same key, bigger than before.
    const { rmSync } = await import('node:fs')
    rmSync(join(log.path, 'audit'), { recursive: true })
    await log.goblin(['audit', 'sign', '--input', '-'], events(400, 'forged'))
    await log.goblin(['audit', 'checkpoint'])
    const forked = await outsider.goblin([
      'audit',
      'verify',
      '--source',
      server.listening.url,
      '--key',
      vkey,
      '--json',
    ])
    expect(forked.exitCode).toBe(1)
    expect(parseJson<RemoteJson>(forked).errors).toEqual([
      expect.objectContaining({
        kind: 'checkpoint-inconsistent',
        message: expect.stringMatching(/checkpoint 400 does not extend checkpoint 300 .*a fork/),
      }),
    ])
  })
})
