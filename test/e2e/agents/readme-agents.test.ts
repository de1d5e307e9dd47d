import { execFileSync } from 'node:child_process'
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { execa, type ResultPromise } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GOBLIN_BIN, parseJson, REPO_ROOT, runGoblin, tempDir } from '../../helpers/cli.js'
import { FakeModelServer } from '../../support/fake-model-server.js'

/**
 * The README's "Use it with your coding agent" block, run as written, line by line, in bash, as a user with
 * the three CLIs installed would: `goblin` on PATH, the agents from node_modules, a project that is a git
 * repository. What stands in for the user's own setup: each agent's credentials and base URL point at a fake
 * model server on 127.0.0.1 (the one stand-in, there is no model here), given the way a user gives them
 * (environment variables, `~/.codex/config.toml`, `~/.gemini/settings.json`), and goblin.config.json picks a
 * free collector port instead of 4318.
 */

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')
const section = readme.slice(readme.indexOf('## Use it with your coding agent'))
const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? ''
/** Each command line, its trailing comment dropped (no line quotes a `#`). */
const lines = block
  .split('\n')
  .map((line) => line.replace(/\s+#.*$/, '').trim())
  .filter(Boolean)

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe("the README's coding-agent commands, as written", { timeout: 300_000 }, () => {
  const home = tempDir()
  const user = tempDir('goblin-readme-user-')
  const project = join(user.path, 'project')
  let model: FakeModelServer
  let collector: ResultPromise | undefined
  let env: Record<string, string>
  const ran: Array<{ line: string; exitCode: number; stderr: string }> = []

  beforeAll(async () => {
    model = await FakeModelServer.start()
    const port = await freePort()
    mkdirSync(join(project, 'src'), { recursive: true })
    writeFileSync(join(project, 'goblin.config.json'), JSON.stringify({ collector: { port } }))
    writeFileSync(join(project, 'src/app.ts'), 'export const answer = 42\n')
    execFileSync('git', ['init', '-q'], { cwd: project })
    // The user's own agent settings: Codex's provider in ~/.codex, Gemini CLI's auth choice in ~/.gemini.
    mkdirSync(join(user.path, '.codex'))
    writeFileSync(
      join(user.path, '.codex/config.toml'),
      `model = "gpt-5.5"\nmodel_provider = "fake"\n[model_providers.fake]\nname = "fake"\nbase_url = "${model.url}/v1"\nenv_key = "FAKE_OPENAI_KEY"\nwire_api = "responses"\n`,
    )
    mkdirSync(join(user.path, '.gemini'))
    writeFileSync(
      join(user.path, '.gemini/settings.json'),
      JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } } }),
    )
    // `goblin` as an installed package puts it on PATH.
    const bin = join(user.path, 'bin')
    mkdirSync(bin)
    writeFileSync(join(bin, 'goblin'), `#!/bin/sh\nexec "${process.execPath}" "${GOBLIN_BIN}" "$@"\n`)
    chmodSync(join(bin, 'goblin'), 0o755)
    env = {
      GOBLIN_HOME: home.path,
      HOME: user.path,
      PATH: `${bin}:${join(REPO_ROOT, 'node_modules/.bin')}:${join(process.execPath, '..')}:/usr/bin:/bin`,
      NO_COLOR: '1',
      CI: 'true',
      ANTHROPIC_BASE_URL: model.url,
      ANTHROPIC_API_KEY: 'sk-ant-fake',
      FAKE_OPENAI_KEY: 'sk-fake',
      GEMINI_API_KEY: 'fake',
      GOOGLE_GEMINI_BASE_URL: model.url,
      GEMINI_CLI_TRUST_WORKSPACE: 'true',
    }
    for (const line of lines) {
      if (line.endsWith('&')) {
        // The collector, in the background: wait until it listens, as a user waits for its first line.
        collector = execa('bash', ['-c', line.slice(0, -1)], { cwd: project, env, reject: false })
        await new Promise<void>((resolve, reject) => {
          let out = ''
          collector?.stdout?.on('data', (chunk: Buffer) => {
            out += chunk.toString()
            if (out.includes('listening on')) resolve()
          })
          collector?.once('exit', (code) => reject(new Error(`${line} exited ${code}: ${out}`)))
        })
        continue
      }
      // `eval "$(goblin agent env claude)"` sets the session's variables: the test then runs Claude Code in it.
      const command = line.startsWith('eval ')
        ? `${line} && claude -p "say hi" --model claude-sonnet-4-5`
        : line
      const result = await execa('bash', ['-c', command], {
        cwd: project,
        env,
        reject: false,
        timeout: 150_000,
        input: '',
      })
      ran.push({ line, exitCode: result.exitCode ?? -1, stderr: String(result.stderr) })
    }
  }, 290_000)

  afterAll(async () => {
    collector?.kill('SIGTERM')
    await collector
    await model?.close()
    home.cleanup()
    user.cleanup()
  })

  it('has the commands the section names, the collector first', () => {
    expect(lines[0]).toBe('goblin audit keygen')
    expect(lines[1]).toMatch(/^goblin collector serve --audit &$/)
    for (const agent of ['claude', 'codex', 'gemini'])
      expect(lines.some((l) => l.startsWith(`goblin agent run ${agent}`))).toBe(true)
  })

  it('every command exits 0', () => {
    expect(
      ran.filter((r) => r.exitCode !== 0).map((r) => `${r.line}: ${r.exitCode} ${r.stderr.slice(-400)}`),
    ).toEqual([])
    expect(ran.length).toBe(lines.length - 1)
  })

  it('each agent run reached the collector: calls and USD per agent, with sessions', async () => {
    const run = await runGoblin(['cost', 'report', '--by', 'service', '--since', '1h', '--json'], {
      env: { GOBLIN_HOME: home.path },
    })
    expect(run.exitCode, run.stderr).toBe(0)
    const report = parseJson<{ rows: Array<{ key: { service: string }; calls: number; usd: number }> }>(run)
    const byService = Object.fromEntries(report.rows.map((r) => [r.key.service, r]))
    // Claude Code three times (two agent runs and the eval'd session), Codex and Gemini CLI once each.
    expect(byService['claude-code']?.calls).toBeGreaterThanOrEqual(3)
    expect(byService['claude-code']?.usd).toBeGreaterThan(0)
    expect(Object.keys(byService).some((s) => s.startsWith('codex'))).toBe(true)
    expect(byService['gemini-cli']?.calls).toBeGreaterThanOrEqual(1)
    for (const row of report.rows) expect(row.usd, row.key.service).toBeGreaterThan(0)
  })
})
