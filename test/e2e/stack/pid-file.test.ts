import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseJson, runGoblin, tempDir } from '../../helpers/cli.js'

// `goblin stack down` signals only the collector `stack up` started for its own GOBLIN_HOME, identified by
// more than the pid its pid file names: its start time, and a token and the home in its environment.
const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
}

describe('stack pid files that cannot be fooled', { timeout: 120_000 }, () => {
  let a: ReturnType<typeof tempDir>
  let b: ReturnType<typeof tempDir>
  const started: number[] = []
  // DOCKER_HOST names no socket: `auto` takes the embedded runtime.
  const envOf = (home: string) => ({
    GOBLIN_HOME: home,
    DOCKER_HOST: `unix://${join(home, 'no-docker.sock')}`,
  })
  const stateFile = (home: string) => join(home, 'stack', 'embedded.json')

  beforeEach(() => {
    a = tempDir('goblin-pid-a-')
    b = tempDir('goblin-pid-b-')
  })
  afterEach(async () => {
    await runGoblin(['stack', 'down'], { env: envOf(a.path) })
    for (const pid of started.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL')
    a.cleanup()
    b.cleanup()
  })

  async function upInA(): Promise<{ pid: number; port: number }> {
    const run = await runGoblin(['stack', 'up', '--port', '0', '--json'], { env: envOf(a.path) })
    expect(run.exitCode, run.stderr).toBe(0)
    const service = parseJson<{ services: { pid: number; ports: { host: number }[] }[] }>(run).services[0]
    if (!service) throw new Error('no service')
    started.push(service.pid)
    return { pid: service.pid, port: service.ports[0]?.host ?? 0 }
  }

  it("stack down in one GOBLIN_HOME never signals another home's collector named by a copied pid file", async () => {
    const collector = await upInA()
    mkdirSync(join(b.path, 'stack'), { recursive: true })
    copyFileSync(stateFile(a.path), stateFile(b.path))
    const down = await runGoblin(['stack', 'down', '--json'], { env: envOf(b.path) })
    expect(down.exitCode, down.stderr).toBe(0)
    expect(parseJson<{ removed: string[] }>(down).removed).toEqual([
      `stale pid file of the embedded collector (pid ${collector.pid} is not the collector goblin started for this GOBLIN_HOME; nothing was signalled)`,
    ])
    expect(alive(collector.pid)).toBe(true)
    expect((await fetch(`http://127.0.0.1:${collector.port}/health`)).status).toBe(200)
    // Its own home still stops it.
    const own = await runGoblin(['stack', 'down', '--json'], { env: envOf(a.path) })
    expect(parseJson<{ removed: string[] }>(own).removed[0]).toMatch(
      /^embedded collector \(pid \d+, SIGTERM\)$/,
    )
    expect(alive(collector.pid)).toBe(false)
  })

  it('a pid file whose pid now names another process (a reused pid) signals nothing', async () => {
    const collector = await upInA()
    // A process of ours that is not the collector takes the place of the pid the file names; its command
    // line even reads `collector serve`, which was all the old check looked at.
    const bystander = execa(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'collector', 'serve'], {
      reject: false,
    })
    const bystanderPid = bystander.pid as number
    started.push(bystanderPid)
    const state = JSON.parse(readFileSync(stateFile(a.path), 'utf8'))
    writeFileSync(stateFile(a.path), JSON.stringify({ ...state, pid: bystanderPid }))
    const down = await runGoblin(['stack', 'down', '--json'], { env: envOf(a.path) })
    expect(down.exitCode, down.stderr).toBe(0)
    expect(parseJson<{ removed: string[] }>(down).removed[0]).toMatch(
      /^stale pid file .* nothing was signalled\)$/,
    )
    expect(alive(bystanderPid)).toBe(true)
    expect(alive(collector.pid)).toBe(true)
    bystander.kill('SIGKILL')
    await bystander
  })
})
