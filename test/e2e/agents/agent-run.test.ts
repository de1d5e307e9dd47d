import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { AgentRunResult } from '../../../src/agents/run-agent.js'
import type { Envelope } from '../../../src/audit/envelope.js'
import { parseJson, runGoblin, tempDir } from '../../helpers/cli.js'
import { FakeModelServer, type ModelApi, type ModelRequest } from '../../support/fake-model-server.js'
import { type ServedCollector, serveCollector } from './goblin-collector.js'

/**
 * The real CLIs from npm (goblin's devDependencies), run through the built `goblin agent run` as a user
 * runs them, against a real `goblin collector serve --audit` and a fake model server on 127.0.0.1 (the one
 * stand-in: there is no model here). Each is driven through one shell tool call.
 */

/** A model server that asks the agent, once, to run `command` with its shell tool, then answers text. */
async function modelAsking(
  api: ModelApi,
  tool: string,
  command: Record<string, unknown>,
): Promise<FakeModelServer> {
  const offers = (request: ModelRequest) => JSON.stringify(request.body).includes(`"${tool}"`)
  return (await FakeModelServer.start()).script(api, {
    toolCall: { name: tool, arguments: command },
    when: offers,
  })
}

const home = tempDir()
const work = tempDir('goblin-agent-work-')
let collector: ServedCollector
let backend: FakeModelServer | undefined

beforeAll(async () => {
  expect((await runGoblin(['audit', 'keygen'], { env: { GOBLIN_HOME: home.path } })).exitCode).toBe(0)
  collector = await serveCollector(home.path, ['--audit'])
}, 120_000)
afterEach(async () => {
  await backend?.close()
  backend = undefined
})
afterAll(async () => {
  await collector?.stop()
  home.cleanup()
  work.cleanup()
})

/** A fresh user home for one agent run: the agents write their state there, never in the real one. */
function userHome(name: string, files: Record<string, string> = {}): string {
  const dir = join(work.path, `${name}-${randomUUID()}`)
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  mkdirSync(join(dir, 'project'), { recursive: true })
  return dir
}

async function agentRun(
  agent: string,
  goblinId: string,
  args: string[],
  env: Record<string, string>,
  dir: string,
) {
  const run = await runGoblin(
    ['agent', 'run', agent, '--goblin', goblinId, '--json', '--endpoint', collector.url, '--', ...args],
    {
      env: { GOBLIN_HOME: home.path, HOME: dir, PATH: '/usr/bin:/bin', ...env },
      cwd: join(dir, 'project'),
      // No one types: stdin is empty and closed (Codex exec reads a prompt from stdin while it is open).
      input: '',
      timeout: 150_000,
    },
  )
  return { run, result: parseJson<AgentRunResult>(run) }
}

/** The audit entries appended for one goblin id (each test uses its own). */
const ledger = (goblinId: string) =>
  readFileSync(join(home.path, 'audit', 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Envelope)
    .filter((e) => e.goblin_id === goblinId)

/** A model's per-token prices as `goblin cost prices show` resolves them. */
async function priceOf(model: string, provider: string) {
  const run = await runGoblin(['cost', 'prices', 'show', model, '--provider', provider, '--json'], {
    env: { GOBLIN_HOME: home.path },
  })
  expect(run.exitCode, run.stderr).toBe(0)
  return parseJson<{ price: { inputPerToken: number; outputPerToken: number; cachedInputPerToken: number } }>(
    run,
  ).price
}

/** Span names of one trace in the collector. */
async function traceSpanNames(traceId: string): Promise<string[]> {
  const trace = (await fetch(`${collector.url}/api/traces/${traceId}`).then((r) => r.json())) as {
    batches: Array<{ scopeSpans: Array<{ spans: Array<{ name: string }> }> }>
  }
  return trace.batches.flatMap((b) => b.scopeSpans.flatMap((s) => s.spans.map((span) => span.name)))
}

describe('goblin agent run with the real CLIs', { timeout: 180_000 }, () => {
  it('Claude Code: the run is one trace, the accepted Bash call ran, and its decision is signed into the log', async () => {
    backend = await modelAsking('anthropic', 'Bash', { command: 'echo agent-ran-this', description: 'echo' })
    const session = randomUUID()
    const { run, result } = await agentRun(
      'claude',
      'e2e-claude',
      ['-p', 'run the command', '--session-id', session, '--model', 'claude-sonnet-4-5'],
      { ANTHROPIC_BASE_URL: backend.url, ANTHROPIC_API_KEY: 'sk-ant-fake' },
      userHome('claude'),
    )
    expect(run.exitCode, run.stderr).toBe(0)
    expect(result).toMatchObject({ agent: 'claude', exitCode: 0, goblin: 'e2e-claude', exported: true })
    // Two calls (the tool call, then the answer) of the fake usage: input 100 + cache read 200 + cache
    // writes 50, output 20; priced by Claude Code itself at $0.0008925 each (its cost_usd wins).
    expect(result.usage).toMatchObject({
      calls: 2,
      inputTokens: 700,
      cachedInputTokens: 400,
      outputTokens: 40,
      usd: 0.001785,
      unknownModelCalls: 0,
      sessions: [session],
    })
    // Claude Code answered on stdout, which --json sent to stderr.
    expect(run.stderr).toContain(backend.defaultReply.text)
    // The tool ran: its output came back to the model.
    const [result1] = backend.toolResults('anthropic')
    expect(result1).toMatchObject({ output: expect.stringMatching(/^agent-ran-this/), isError: false })

    const names = await traceSpanNames(result.traceId)
    expect(names).toContain('agent claude')
    expect(names).toContain('claude_code.interaction')
    expect(names.filter((n) => n === 'claude_code.llm_request')).toHaveLength(2)

    expect(ledger('e2e-claude')).toEqual([
      expect.objectContaining({
        action: 'tool.Bash',
        decision: 'accept',
        trace_id: result.traceId,
        attrs: expect.objectContaining({
          agent: 'claude-code',
          'decision.source': 'config',
          'session.id': session,
          'task.id': result.task,
          'tool.call_id': result1?.id,
        }),
      }),
    ])
  })

  it('Claude Code: a Bash call that needs permission is rejected in -p mode, did not run, and is signed as rejected', async () => {
    const dir = userHome('claude')
    const target = join(dir, 'project', 'made-by-the-agent')
    backend = await modelAsking('anthropic', 'Bash', { command: `touch ${target}`, description: 'make it' })
    const { run } = await agentRun(
      'claude',
      'e2e-claude-reject',
      ['-p', 'make a file'],
      { ANTHROPIC_BASE_URL: backend.url, ANTHROPIC_API_KEY: 'sk-ant-fake' },
      dir,
    )
    expect(run.exitCode, run.stderr).toBe(0)
    expect(existsSync(target)).toBe(false)
    expect(backend.toolResults('anthropic')).toEqual([expect.objectContaining({ isError: true })])
    expect(ledger('e2e-claude-reject')).toEqual([
      expect.objectContaining({
        action: 'tool.Bash',
        decision: 'reject',
        attrs: expect.objectContaining({ 'decision.source': 'config' }),
      }),
    ])
  })

  it('Codex CLI: exec runs the command, continues the trace, and its approval is signed into the log', async () => {
    backend = await modelAsking('openai-responses', 'exec_command', { cmd: 'echo codex-ran-this' })
    const dir = userHome('codex')
    mkdirSync(join(dir, 'codex-home'))
    const provider = `model_providers.fake={name="fake",base_url="${backend.url}/v1",env_key="FAKE_OPENAI_KEY",wire_api="responses"}`
    const { run, result } = await agentRun(
      'codex',
      'e2e-codex',
      [
        '-c',
        provider,
        '-c',
        'model_provider=fake',
        '-c',
        'model=gpt-5.5',
        'exec',
        '--skip-git-repo-check',
        'run it',
      ],
      { CODEX_HOME: join(dir, 'codex-home'), FAKE_OPENAI_KEY: 'sk-fake' },
      dir,
    )
    expect(run.exitCode, run.stderr).toBe(0)
    // Codex reports no cost: two calls of input 300 (100 cached), output 40, priced from the table.
    const gpt = await priceOf('gpt-5.5', 'openai')
    expect(result.usage).toMatchObject({
      calls: 2,
      inputTokens: 600,
      cachedInputTokens: 200,
      outputTokens: 80,
    })
    expect(result.usage?.usd).toBeCloseTo(
      2 * (200 * gpt.inputPerToken + 100 * gpt.cachedInputPerToken + 40 * gpt.outputPerToken),
      9,
    )
    const [toolResult] = backend.toolResults('openai-responses')
    expect(toolResult?.output).toContain('codex-ran-this')
    const names = await traceSpanNames(result.traceId)
    expect(names).toContain('agent codex')
    expect(names).toContain('handle_responses')
    // The calls and the decision name the same session (Codex's conversation id).
    expect(result.usage?.sessions).toEqual([ledger('e2e-codex')[0]?.attrs?.['session.id']])
    expect(ledger('e2e-codex')).toEqual([
      expect.objectContaining({
        action: 'tool.exec_command',
        decision: 'accept',
        trace_id: result.traceId,
        attrs: expect.objectContaining({
          agent: 'codex',
          'agent.decision': 'approved',
          'tool.call_id': toolResult?.id,
          'task.id': result.task,
        }),
      }),
    ])
  })

  it('Gemini CLI: -p --yolo runs the command and its decision is signed (in its own trace: it does not continue ours)', async () => {
    backend = await modelAsking('gemini', 'run_shell_command', { command: 'echo gemini-ran-this' })
    const dir = userHome('gemini', {
      '.gemini/settings.json': JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } } }),
    })
    const { run, result } = await agentRun(
      'gemini',
      'e2e-gemini',
      ['-p', 'run it', '--yolo', '--model', 'gemini-2.5-pro'],
      { GEMINI_API_KEY: 'fake', GOOGLE_GEMINI_BASE_URL: backend.url, GEMINI_CLI_TRUST_WORKSPACE: 'true' },
      dir,
    )
    expect(run.exitCode, run.stderr).toBe(0)
    expect(backend.toolResults('gemini')[0]?.output).toContain('gemini-ran-this')
    // Two calls of prompt 500 (200 cached), candidates 30 and thoughts 15: output 45 each.
    expect(result.usage).toMatchObject({
      calls: 2,
      inputTokens: 1000,
      cachedInputTokens: 400,
      outputTokens: 90,
    })
    const [entry, ...more] = ledger('e2e-gemini')
    expect(more).toEqual([])
    // The calls and the decision name the same session.
    expect(result.usage?.sessions).toEqual([entry?.attrs?.['session.id']])
    expect(entry?.trace_id).not.toBe(result.traceId)
    expect(await traceSpanNames(entry?.trace_id as string)).toContain('tool_call')
    expect([entry]).toEqual([
      expect.objectContaining({
        action: 'tool.run_shell_command',
        decision: 'accept',
        attrs: expect.objectContaining({
          agent: 'gemini-cli',
          'agent.decision': 'accept',
          'task.id': result.task,
        }),
      }),
    ])
  })
})
