import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { AgentRunResult } from '../../../src/agents/run-agent.js'
import { parseJson, runGoblin } from '../../helpers/cli.js'
import { FakeModelServer, type ModelRequest } from '../../support/fake-model-server.js'
import { hookFixture } from './hook-fixture.js'

/**
 * `goblin policy hook codex` driven by the real Codex CLI 0.171 from npm (goblin's devDependency) through
 * `goblin agent run codex --policy` (the hook given by `-c` overrides), against a real `goblin collector
 * serve --audit` and a fake model server on 127.0.0.1 (the one stand-in: there is no model here) that asks
 * for one shell call. Codex runs with approvals and sandbox off, so nothing but the hook stands between the
 * model's command and the disk.
 */

const fixture = hookFixture('goblin-codex-hook-')
const { env, collectorUrl, ledger } = fixture

const POLICIES = `@id("no-touch")
@reason("goblin policy: this goblin may not create files with touch")
forbid(principal, action == Action::"tool.call", resource == Tool::"Bash")
when { context.input has command && context.input.command like "touch *" };

@id("bash-for-codex-goblins")
permit(principal == Goblin::"e2e-codex-policy", action == Action::"tool.call", resource == Tool::"Bash");
`

/** A project with the policies above, a user HOME and a CODEX_HOME (with `config` as its config.toml). */
function project(config?: string): { dir: string; cwd: string; codexHome: string } {
  const { dir, cwd } = fixture.project(POLICIES)
  const codexHome = join(dir, 'codex-home')
  mkdirSync(codexHome)
  if (config !== undefined) writeFileSync(join(codexHome, 'config.toml'), config)
  return { dir, cwd, codexHome }
}

/** `goblin agent run codex --policy` running `codex exec` against `backend`, approvals and sandbox off. */
async function runCodex(where: ReturnType<typeof project>, backend: FakeModelServer) {
  const provider = `model_providers.fake={name="fake",base_url="${backend.url}/v1",env_key="FAKE_OPENAI_KEY",wire_api="responses"}`
  const run = await runGoblin(
    [
      'agent',
      'run',
      'codex',
      '--policy',
      '--goblin',
      'e2e-codex-policy',
      '--json',
      '--endpoint',
      collectorUrl(),
      '--',
      '-c',
      provider,
      '-c',
      'model_provider=fake',
      '-c',
      'model=gpt-5.5',
      'exec',
      '--skip-git-repo-check',
      '--dangerously-bypass-approvals-and-sandbox',
      'make a file',
    ],
    {
      env: {
        ...env,
        HOME: where.dir,
        CODEX_HOME: where.codexHome,
        PATH: '/usr/bin:/bin',
        FAKE_OPENAI_KEY: 'sk-fake',
      },
      cwd: where.cwd,
      // Codex exec reads a prompt from stdin while it is open.
      input: '',
      timeout: 150_000,
    },
  )
  return { run, result: parseJson<AgentRunResult>(run) }
}

/** A model that asks, once, for the shell command `cmd` (Codex's exec_command tool). */
async function modelAsking(cmd: string): Promise<FakeModelServer> {
  return (await FakeModelServer.start()).script('openai-responses', {
    toolCall: { name: 'exec_command', arguments: { cmd } },
    when: (request: ModelRequest) => JSON.stringify(request.body).includes('"exec_command"'),
  })
}

describe('goblin policy hook codex', { timeout: 180_000 }, () => {
  it('with the real Codex CLI: a denied shell call does not run, the model gets the reason, the log holds the signed decision', async () => {
    // The user's own config, with a hook of theirs that they never reviewed: goblin trusts its own hook
    // only, so this one stays skipped (as Codex would skip it without goblin), and the file is not touched.
    const marker = join(fixture.work, `untrusted-hook-ran-${randomUUID()}`)
    const userConfig = `[[hooks.PreToolUse]]\n[[hooks.PreToolUse.hooks]]\ntype = "command"\ncommand = "touch ${marker}"\n`
    const where = project(userConfig)
    const target = join(where.cwd, 'made-by-the-agent')
    const backend = await modelAsking(`touch ${target}`)
    const { run, result } = await runCodex(where, backend).finally(() => backend.close())
    expect(run.exitCode, run.stderr).toBe(0)
    // Not executed: no file, and what came back to the model as the tool result is the policy's reason.
    expect(existsSync(target)).toBe(false)
    const [toolResult] = backend.toolResults('openai-responses')
    expect(toolResult?.output).toContain('goblin policy: this goblin may not create files with touch')
    expect(existsSync(marker)).toBe(false)
    expect(readFileSync(join(where.codexHome, 'config.toml'), 'utf8')).toBe(userConfig)

    const decisions = ledger().filter((e) => e.action === 'tool.call')
    expect(decisions).toEqual([
      expect.objectContaining({
        goblin_id: 'e2e-codex-policy',
        decision: 'deny',
        attrs: expect.objectContaining({
          agent: 'codex',
          principal: 'Goblin::"e2e-codex-policy"',
          resource: 'Tool::"Bash"',
          'session.id': expect.stringMatching(/^[0-9a-f-]{36}$/),
          'tool.call_id': toolResult?.id,
          'task.id': result.task,
          'policy.ids': ['no-touch'],
        }),
      }),
    ])
    expect(decisions[0]?.sig).toMatch(/^[A-Za-z0-9+/]+=*$/)
    // Codex hands its hooks its environment: the hook ran inside the run's trace (TRACEPARENT).
    expect(decisions[0]?.trace_id).toBe(result.traceId)
    // The session the decision names is the one Codex's own telemetry reported for the run.
    expect(result.usage?.sessions).toContain(decisions[0]?.attrs?.['session.id'])
    const verify = await runGoblin(['audit', 'verify', '--json'], { env })
    expect(verify.exitCode, verify.stderr).toBe(0)
  })

  it('with the real Codex CLI: an allowed shell call runs, and its allow is signed', async () => {
    const where = project()
    const before = ledger().length
    const backend = await modelAsking('echo codex-was-let-run')
    const { run } = await runCodex(where, backend).finally(() => backend.close())
    expect(run.exitCode, run.stderr).toBe(0)
    expect(backend.toolResults('openai-responses')[0]?.output).toContain('codex-was-let-run')
    // Codex's own record of the call (its tool_decision event, signed by the collector) sits beside it.
    expect(
      ledger()
        .slice(before)
        .filter((e) => e.action === 'tool.call'),
    ).toEqual([
      expect.objectContaining({
        goblin_id: 'e2e-codex-policy',
        action: 'tool.call',
        decision: 'allow',
        attrs: expect.objectContaining({ agent: 'codex', 'policy.ids': ['bash-for-codex-goblins'] }),
      }),
    ])
  })

  it('with the real Codex CLI: a broken policy file blocks the call (the hook fails closed, exit 2)', async () => {
    const where = project()
    writeFileSync(join(where.cwd, 'policies', 'broken.cedar'), 'permit(principal, action, resource')
    const target = join(where.cwd, 'made-despite-the-broken-policy')
    const backend = await modelAsking(`touch ${target}`)
    const { run } = await runCodex(where, backend).finally(() => backend.close())
    expect(run.exitCode, run.stderr).toBe(0)
    expect(existsSync(target)).toBe(false)
    const [toolResult] = backend.toolResults('openai-responses')
    expect(toolResult?.output).toContain('goblin policy hook failed closed: ')
    expect(toolResult?.output).toMatch(/policies\/broken\.cedar:1:\d+: /)
  })

  /** The hook as Codex runs it: one PreToolUse call on stdin. */
  const hook = (cwd: string, input: unknown, extra: string[] = []) =>
    runGoblin(['policy', 'hook', 'codex', ...extra], {
      env,
      cwd,
      input: typeof input === 'string' ? input : JSON.stringify(input),
    })
  const bash = (command: string) => ({
    session_id: randomUUID(),
    turn_id: randomUUID(),
    hook_event_name: 'PreToolUse',
    model: 'gpt-5.5',
    permission_mode: 'bypassPermissions',
    tool_name: 'Bash',
    tool_input: { command },
    tool_use_id: 'call_1',
  })

  it('answers in Codex’s format: nothing to say for an allow, a deny for a deny and for an @ask', async () => {
    const { cwd } = project()
    writeFileSync(
      join(cwd, 'policies', 'push.cedar'),
      '@id("push-asks") @ask @reason("a person approves pushes") forbid(principal, action, resource) when { context.input has command && context.input.command like "git push*" };\n',
    )
    const allowed = await hook(cwd, bash('ls -l'), ['--goblin', 'e2e-codex-policy'])
    expect(allowed.exitCode, allowed.stderr).toBe(0)
    expect(JSON.parse(allowed.stdout)).toEqual({})
    const denied = await hook(cwd, bash('touch x'), ['--goblin', 'e2e-codex-policy'])
    expect(JSON.parse(denied.stdout)).toEqual({
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: 'deny',
        permissionDecisionReason: 'goblin policy: this goblin may not create files with touch',
      },
    })
    // Codex has no "ask" answer (it would run the tool): a forbid marked @ask is a deny, and says why.
    const asked = await hook(cwd, bash('git push origin main'), ['--goblin', 'e2e-codex-policy'])
    expect(JSON.parse(asked.stdout)).toEqual({
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: 'deny',
        permissionDecisionReason: 'a person approves pushes; denied: codex cannot ask the user from a hook',
      },
    })
    expect(ledger().at(-1)).toMatchObject({ goblin_id: 'e2e-codex-policy', decision: 'deny' })
    // Without a goblin id the principal is Agent::"codex", which no policy here permits.
    const anonymous = await hook(cwd, bash('ls'))
    expect(JSON.parse(anonymous.stdout)).toMatchObject({
      hookSpecificOutput: {
        permissionDecision: 'deny',
        permissionDecisionReason: 'no policy permits Agent::"codex" to tool.call Tool::"Bash"',
      },
    })
  })

  it('fails closed: exit 2 with the reason on stderr, which is what Codex blocks on', async () => {
    const { cwd } = project()
    const cases: Array<[unknown, RegExp]> = [
      ['not json', /stdin is not JSON/],
      [{ ...bash('ls'), tool_name: '' }, /tool_name is missing or not a string/],
      [{ ...bash('ls'), hook_event_name: 'PermissionRequest' }, /answers PreToolUse only/],
    ]
    for (const [input, reason] of cases) {
      const run = await hook(cwd, input, ['--goblin', 'e2e-codex-policy'])
      expect(run.exitCode).toBe(2)
      expect(run.stderr).toContain('goblin policy hook failed closed: ')
      expect(run.stderr).toMatch(reason)
    }
    writeFileSync(join(cwd, 'policies', 'broken.cedar'), 'permit(principal, action, resource')
    const broken = await hook(cwd, bash('ls'), ['--goblin', 'e2e-codex-policy'])
    expect(broken.exitCode).toBe(2)
    expect(broken.stderr).toMatch(/policies\/broken\.cedar:1:\d+: /)
  })
})
