import { createServer } from 'node:net'
import { execa, type ResultPromise } from 'execa'
import { afterEach, describe, expect, it } from 'vitest'
import { GOBLIN_BIN, REPO_ROOT, runGoblin, tempDir } from '../../helpers/cli.js'

/** Starts `goblin collector serve --port 0` and waits for its first stdout line. */
async function serve(
  home: string,
  extra: string[] = [],
): Promise<{ child: ResultPromise; firstLine: string; url: string }> {
  const child = execa(process.execPath, [GOBLIN_BIN, 'collector', 'serve', '--port', '0', ...extra], {
    cwd: REPO_ROOT,
    env: { GOBLIN_HOME: home, NO_COLOR: '1', CI: 'true' },
    reject: false,
  })
  const firstLine = await new Promise<string>((resolve, reject) => {
    let buffer = ''
    child.stdout?.on('data', (d: Buffer) => {
      buffer += d.toString()
      const nl = buffer.indexOf('\n')
      if (nl !== -1) resolve(buffer.slice(0, nl))
    })
    child.on('exit', (code) => reject(new Error(`collector exited ${code} before listening`)))
  })
  const url = /http:\/\/127\.0\.0\.1:\d+/.exec(firstLine)?.[0] ?? ''
  return { child, firstLine, url }
}

const spansBody = (trace: number, count: number) =>
  JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'e2e' } }] },
        scopeSpans: [
          {
            spans: Array.from({ length: count }, (_, i) => ({
              traceId: trace.toString(16).padStart(32, '0'),
              spanId: (i + 1).toString(16).padStart(16, '0'),
              ...(i > 0 ? { parentSpanId: '0000000000000001' } : {}),
              name: i === 0 ? 'root' : `child ${i}`,
              startTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
              endTimeUnixNano: String(BigInt(Date.now() + 5) * 1_000_000n),
            })),
          },
        ],
      },
    ],
  })

const post = (url: string, body: string) =>
  fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })

// Each case starts several real Node processes: generous time, since CI machines may be busy.
describe('goblin collector serve', { timeout: 180_000 }, () => {
  const homes: Array<ReturnType<typeof tempDir>> = []
  const children: ResultPromise[] = []
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL')
    for (const h of homes.splice(0)) h.cleanup()
  })
  const home = () => {
    const h = tempDir()
    homes.push(h)
    return h.path
  }

  it('prints its bound address first, answers /health, and on SIGTERM stores what it took and exits 0', async () => {
    const goblinHome = home()
    const { child, firstLine, url } = await serve(goblinHome)
    children.push(child)
    expect(firstLine).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+$/)
    const health = await (await fetch(`${url}/health`)).json()
    expect(health).toMatchObject({
      status: 'ok',
      service: 'goblin-collector',
      version: '0.1.0',
      pid: child.pid,
    })
    expect((await post(url, spansBody(1, 5))).status).toBe(200)
    child.kill('SIGTERM')
    const result = await child
    expect(result.exitCode).toBe(0)
    expect(result.stderr).toContain('stopped')
    // A fresh collector on the same GOBLIN_HOME serves the spans.
    const again = await serve(goblinHome)
    children.push(again.child)
    const shown = await runGoblin(
      ['trace', 'show', '1'.padStart(32, '0'), '--endpoint', again.url, '--json'],
      {
        env: { GOBLIN_HOME: goblinHome },
      },
    )
    expect(shown.exitCode).toBe(0)
    expect(JSON.stringify(JSON.parse(shown.stdout))).toContain('"name":"child 4"')
  })

  it('loses no acknowledged span when killed with SIGKILL', async () => {
    const goblinHome = home()
    const { child, url } = await serve(goblinHome)
    children.push(child)
    const statuses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => post(url, spansBody(100 + i, 100)).then((r) => r.status)),
    )
    expect(statuses.every((s) => s === 200)).toBe(true)
    child.kill('SIGKILL')
    await child
    const again = await serve(goblinHome)
    children.push(again.child)
    const list = await runGoblin(['trace', 'list', '--endpoint', again.url, '--limit', '50', '--json'], {
      env: { GOBLIN_HOME: goblinHome },
    })
    const traces = JSON.parse(list.stdout).traces as Array<{ spanCount: number }>
    expect(traces).toHaveLength(10)
    expect(traces.every((t) => t.spanCount === 100)).toBe(true)
  })

  it('under --json prints one JSON line with the address', async () => {
    const { child, firstLine } = await serve(home(), ['--json'])
    children.push(child)
    expect(JSON.parse(firstLine)).toMatchObject({ event: 'listening', host: '127.0.0.1', pid: child.pid })
  })

  it('exits 3 naming the port when it is taken', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as { port: number }).port
    try {
      const result = await runGoblin(['collector', 'serve', '--port', String(port)], {
        env: { GOBLIN_HOME: home() },
      })
      expect(result.exitCode).toBe(3)
      expect(result.stderr).toContain(`cannot listen on 127.0.0.1:${port}: EADDRINUSE`)
    } finally {
      blocker.close()
    }
  })
})
