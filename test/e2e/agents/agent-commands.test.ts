import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InstalledAgent } from '../../../src/agents/installed.js'
import type { AgentRunResult } from '../../../src/agents/run-agent.js'
import { parseJson, REPO_ROOT, runGoblin, tempDir } from '../../helpers/cli.js'
import { closeServer, listenOnLoopback } from '../../helpers/loopback.js'
import { type ServedCollector, serveCollector } from './goblin-collector.js'

const home = tempDir()
const userHome = tempDir()
// The CLIs are goblin's devDependencies: found in its node_modules/.bin, whatever PATH holds.
const env = { GOBLIN_HOME: home.path, HOME: userHome.path, PATH: '/usr/bin:/bin' }
const goblin = (args: string[], extra: Record<string, string> = {}) =>
  runGoblin(args, { env: { ...env, ...extra }, cwd: userHome.path, timeout: 120_000 })
const installedVersion = (pkg: string) =>
  (
    JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as {
      version: string
    }
  ).version
let collector: ServedCollector

beforeAll(async () => {
  collector = await serveCollector(home.path)
}, 120_000)
afterAll(async () => {
  await collector?.stop()
  home.cleanup()
  userHome.cleanup()
})

describe('goblin agent list / env / run, the commands themselves', { timeout: 180_000 }, () => {
  it('agent list finds the three CLIs and the versions npm installed', async () => {
    const run = await goblin(['agent', 'list', '--json'])
    expect(run.exitCode, run.stderr).toBe(0)
    const { agents } = parseJson<{ agents: InstalledAgent[] }>(run)
    expect(agents.map((a) => [a.id, a.version, a.source])).toEqual([
      ['claude', installedVersion('@anthropic-ai/claude-code'), 'node_modules'],
      ['codex', installedVersion('@openai/codex'), 'node_modules'],
      ['gemini', installedVersion('@google/gemini-cli'), 'node_modules'],
    ])
    const human = await goblin(['agent', 'list'])
    expect(human.stdout).toMatch(
      new RegExp(`^Claude Code\\s+${installedVersion('@anthropic-ai/claude-code')}\\s`),
    )
  })

  it('agent list prefers the agent on PATH, as the user’s shell would', async () => {
    const bin = join(userHome.path, 'bin')
    mkdirSync(bin, { recursive: true })
    writeFileSync(join(bin, 'codex'), '#!/bin/sh\necho "codex-cli 9.8.7"\n')
    chmodSync(join(bin, 'codex'), 0o755)
    const run = await goblin(['agent', 'list', '--json'], { PATH: `${bin}:/usr/bin:/bin` })
    const codex = parseJson<{ agents: InstalledAgent[] }>(run).agents.find((a) => a.id === 'codex')
    expect(codex).toMatchObject({ path: join(bin, 'codex'), source: 'PATH', version: '9.8.7' })
  })

  it('agent list takes a project’s own install (node_modules/.bin above the working directory) over goblin’s', async () => {
    const bin = join(userHome.path, 'project', 'node_modules', '.bin')
    mkdirSync(join(userHome.path, 'project', 'src'), { recursive: true })
    mkdirSync(bin, { recursive: true })
    writeFileSync(join(bin, 'gemini'), '#!/bin/sh\necho 0.0.1-project\n')
    chmodSync(join(bin, 'gemini'), 0o755)
    const run = await runGoblin(['agent', 'list', '--json'], {
      env,
      cwd: join(userHome.path, 'project', 'src'),
      timeout: 120_000,
    })
    const gemini = parseJson<{ agents: InstalledAgent[] }>(run).agents.find((a) => a.id === 'gemini')
    expect(gemini).toMatchObject({
      path: join(bin, 'gemini'),
      source: 'node_modules',
      version: '0.0.1-project',
    })
  })

  it('agent env prints lines a shell can eval, pointing at the running collector', async () => {
    const run = await goblin(['agent', 'env', 'claude', '--goblin', 'laptop', '--endpoint', collector.url])
    expect(run.exitCode, run.stderr).toBe(0)
    const { execa } = await import('execa')
    const shell = await execa('sh', [
      '-c',
      `${run.stdout}\nprintf '%s|%s' "$OTEL_EXPORTER_OTLP_ENDPOINT" "$OTEL_RESOURCE_ATTRIBUTES"`,
    ])
    expect(shell.stdout).toBe(`${collector.url}|goblin.id=laptop`)
  })

  it('agent run passes the agent’s exit code through (Codex refusing an unknown flag)', async () => {
    const run = await goblin([
      'agent',
      'run',
      'codex',
      '--json',
      '--endpoint',
      collector.url,
      '--',
      '--no-such-flag',
    ])
    expect(run.exitCode).toBe(2)
    const result = parseJson<AgentRunResult>(run)
    expect(result).toMatchObject({ agent: 'codex', exitCode: 2, goblin: null, exported: true })
    expect(result.task).toMatch(/^run-[0-9a-f]{12}$/)
    // The agent's own output went to stderr: stdout is goblin's one document.
    expect(run.stderr).toContain('--no-such-flag')
    // goblin's span of the run is in the collector, named after the agent, labelled with the task.
    const trace = (await fetch(`${collector.url}/api/traces/${result.traceId}`).then((r) => r.json())) as {
      batches: Array<{
        scopeSpans: Array<{
          spans: Array<{ name: string; attributes: Array<{ key: string; value: { stringValue?: string } }> }>
        }>
      }>
    }
    const span = trace.batches[0]?.scopeSpans[0]?.spans[0]
    expect(span?.name).toBe('agent codex')
    expect(span?.attributes.find((a) => a.key === 'task.id')?.value.stringValue).toBe(result.task)
  })

  it('agent run ends with one human line on stderr: agent, exit code, calls, tokens, USD, task, trace', async () => {
    const run = await goblin([
      'agent',
      'run',
      'codex',
      '--task',
      'line-test',
      '--endpoint',
      collector.url,
      '--',
      '--no-such-flag',
    ])
    expect(run.exitCode).toBe(2)
    expect(run.stderr.trim().split('\n').at(-1)).toMatch(
      /^goblin: Codex CLI exited 2 · 0 LLM calls · 0 tokens in \(0 cached\), 0 out · \$0\.00 · task line-test · trace [0-9a-f]{32}$/,
    )
  })

  it('agent run says so, and reports no usage, when the collector is not goblin’s', async () => {
    // Any OTLP/HTTP receiver (here one that accepts everything, like the stack's OpenTelemetry Collector).
    const otlp = createHttpServer((req, res) => {
      req.resume()
      req.on('end', () =>
        res.writeHead(req.url === '/v1/logs' ? 200 : 404, { 'content-type': 'application/json' }).end('{}'),
      )
    })
    const url = await listenOnLoopback(otlp)
    try {
      const run = await goblin(['agent', 'run', 'codex', '--json', '--endpoint', url, '--', '--no-such-flag'])
      const result = parseJson<AgentRunResult>(run)
      expect(result.usage).toBeNull()
      expect(result.note).toContain(`${url} is not goblin's embedded collector`)
    } finally {
      await closeServer(otlp)
    }
  })

  it('agent run refuses, before starting anything, when no collector answers (exit 3)', async () => {
    const port = await freePort()
    const run = await goblin([
      'agent',
      'run',
      'claude',
      '--endpoint',
      `http://127.0.0.1:${port}`,
      '--',
      '-p',
      'hi',
    ])
    expect(run.exitCode).toBe(3)
    expect(run.stderr).toContain(`no OTLP collector answers at http://127.0.0.1:${port}`)
    expect(run.stderr).toContain('goblin collector serve')
  })

  const badInputs: Array<[string, (url: string) => string[], string]> = [
    ['an unknown agent', () => ['agent', 'run', 'cursor', '--', 'x'], 'Expected cursor to be one of'],
    [
      'a task id an SDK would mangle',
      (url) => ['agent', 'run', 'claude', '--endpoint', url, '--task', 'a,b', '--', '-p', 'x'],
      '--task "a,b" is not a usable id',
    ],
    [
      '--policy for an agent goblin cannot give a hook (Gemini CLI)',
      (url) => ['agent', 'run', 'gemini', '--endpoint', url, '--policy', '--', '-p', 'x'],
      '--policy is not available for gemini',
    ],
    [
      'an endpoint with credentials',
      () => ['agent', 'env', 'codex', '--endpoint', 'http://u:p@127.0.0.1:1'],
      'carries a user name or password',
    ],
  ]
  it.each(badInputs)('bad input is exit 2, saying what to do: %s', async (_, args, message) => {
    const run = await goblin(args(collector.url))
    expect(run.exitCode, run.stderr).toBe(2)
    expect(run.stderr).toContain(message)
  })
})

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
