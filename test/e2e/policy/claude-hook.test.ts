import { randomUUID } from 'node:crypto'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { AgentRunResult } from '../../../src/agents/run-agent.js'
import type { PolicyCheck } from '../../../src/policy/check.js'
import { parseJson, runGoblin } from '../../helpers/cli.js'
import { FakeModelServer, type ModelRequest } from '../../support/fake-model-server.js'
import { hookFixture } from './hook-fixture.js'

/**
 * `goblin policy hook claude` driven by the real Claude Code from npm (goblin's devDependency) through
 * `goblin agent run claude --policy`, against a real `goblin collector serve --audit` and a fake model
 * server on 127.0.0.1 (the one stand-in: there is no model here) that asks for one Bash call.
 */

/** Claude Code's PreToolUse answer, as the hook prints it. */
interface ClaudeHookOutput {
  hookSpecificOutput: { hookEventName: string; permissionDecision: string; permissionDecisionReason: string }
}

const { env, collectorUrl, ledger, project } = hookFixture('goblin-policy-hook-')

const POLICIES = `@id("no-touch")
@reason("goblin policy: this goblin may not create files with touch")
forbid(principal, action == Action::"tool.call", resource == Tool::"Bash")
when { context.input has command && context.input.command like "touch *" };

@id("bash-for-hook-goblins")
permit(principal == Goblin::"e2e-policy", action == Action::"tool.call", resource == Tool::"Bash");
`

const policySetHash = async (cwd: string) =>
  parseJson<PolicyCheck>(
    await runGoblin(
      ['policy', 'check', '--principal', 'x', '--action', 'deploy', '--resource', 'prod', '--json'],
      {
        env,
        cwd,
      },
    ),
  ).policySetSha256

describe('goblin policy hook claude', { timeout: 180_000 }, () => {
  it('with the real Claude Code: a denied Bash call does not run, the model gets the reason, the log holds the signed decision', async () => {
    const { dir, cwd } = project(POLICIES)
    const target = join(cwd, 'made-by-the-agent')
    const backend = (await FakeModelServer.start()).script('anthropic', {
      toolCall: { name: 'Bash', arguments: { command: `touch ${target}`, description: 'make it' } },
      when: (request: ModelRequest) => JSON.stringify(request.body).includes('"Bash"'),
    })
    const session = randomUUID()
    const run = await runGoblin(
      [
        'agent',
        'run',
        'claude',
        '--policy',
        '--goblin',
        'e2e-policy',
        '--json',
        '--endpoint',
        collectorUrl(),
        '--',
        '-p',
        'make a file',
        '--session-id',
        session,
        '--model',
        'claude-sonnet-4-5',
      ],
      {
        env: {
          ...env,
          HOME: dir,
          PATH: '/usr/bin:/bin',
          ANTHROPIC_BASE_URL: backend.url,
          ANTHROPIC_API_KEY: 'sk-ant-fake',
        },
        cwd,
        input: '',
        timeout: 150_000,
      },
    )
    expect(run.exitCode, run.stderr).toBe(0)
    const result = parseJson<AgentRunResult>(run)
    // Not executed: no file, and what came back to the model as the tool result is the policy's reason.
    expect(existsSync(target)).toBe(false)
    const [toolResult] = backend.toolResults('anthropic')
    expect(toolResult?.output).toContain('goblin policy: this goblin may not create files with touch')

    const decisions = ledger().filter((e) => e.action === 'tool.call')
    expect(decisions).toEqual([
      expect.objectContaining({
        goblin_id: 'e2e-policy',
        decision: 'deny',
        attrs: expect.objectContaining({
          agent: 'claude-code',
          principal: 'Goblin::"e2e-policy"',
          resource: 'Tool::"Bash"',
          'session.id': session,
          'task.id': result.task,
          'policy.ids': ['no-touch'],
          'policy.set_sha256': await policySetHash(cwd),
        }),
      }),
    ])
    expect(decisions[0]?.sig).toMatch(/^[A-Za-z0-9+/]+=*$/)
    // The hook ran inside the run's trace (TRACEPARENT), and its command span carried the decision.
    expect(decisions[0]?.trace_id).toBe(result.traceId)
    const exposition = await fetch(`${collectorUrl()}/metrics`).then((r) => r.text())
    expect(exposition).toContain(
      'goblin_policy_decisions_total{decision="deny",goblin="e2e-policy",action="tool.call"} 1\n',
    )
    const verify = await runGoblin(['audit', 'verify', '--json'], { env })
    expect(verify.exitCode, verify.stderr).toBe(0)
  })

  /** The hook as Claude Code runs it: one PreToolUse call on stdin. */
  const hook = (cwd: string, input: unknown, extra: string[] = []) =>
    runGoblin(['policy', 'hook', 'claude', ...extra], {
      env,
      cwd,
      input: typeof input === 'string' ? input : JSON.stringify(input),
    })
  const bash = (command: string, session = 'session-1') => ({
    session_id: session,
    hook_event_name: 'PreToolUse',
    tool_name: 'Bash',
    tool_input: { command },
    tool_use_id: `toolu_${randomUUID()}`,
  })

  it('names the policy set each decision was made by: an edit between two decisions gives two hashes', async () => {
    const { cwd } = project(POLICIES)
    const before = ledger().length
    const first = await hook(cwd, bash('ls -l'), ['--goblin', 'e2e-policy'])
    expect(first.exitCode, first.stderr).toBe(0)
    expect(JSON.parse(first.stdout) as ClaudeHookOutput).toEqual({
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: 'allow',
        permissionDecisionReason: 'permitted by bash-for-hook-goblins (policies/tools.cedar:6)',
      },
    })
    const hashBefore = await policySetHash(cwd)
    writeFileSync(
      join(cwd, 'policies', 'tools.cedar'),
      `${POLICIES}\n@id("no-ls") @reason("no listing") forbid(principal, action, resource == Tool::"Bash") when { context.input.command like "ls*" };\n`,
    )
    const second = await hook(cwd, bash('ls -l'), ['--goblin', 'e2e-policy'])
    expect(JSON.parse(second.stdout)).toMatchObject({
      hookSpecificOutput: { permissionDecision: 'deny', permissionDecisionReason: 'no listing' },
    })
    const hashAfter = await policySetHash(cwd)
    expect(hashAfter).not.toBe(hashBefore)
    const entries = ledger().slice(before)
    expect(entries.map((e) => [e.decision, e.attrs?.['policy.set_sha256'], e.attrs?.['policy.ids']])).toEqual(
      [
        ['allow', hashBefore, ['bash-for-hook-goblins']],
        ['deny', hashAfter, ['no-ls']],
      ],
    )
  })

  it('asks the user for a forbid marked @ask, and decides for Agent::"claude-code" without a goblin id', async () => {
    const { cwd } = project(
      '@id("push-asks") @ask @reason("a person approves pushes") forbid(principal == Agent::"claude-code", action, resource) when { context.input.command like "git push*" };\npermit(principal, action, resource);\n',
    )
    const asked = await hook(cwd, bash('git push origin main'))
    expect(JSON.parse(asked.stdout)).toMatchObject({
      hookSpecificOutput: { permissionDecision: 'ask', permissionDecisionReason: 'a person approves pushes' },
    })
    expect(ledger().at(-1)).toMatchObject({ goblin_id: 'claude-code', decision: 'ask' })
  })

  it('fails closed: bad input or a broken policy file is a deny with exit 2 (Claude Code blocks on it)', async () => {
    const { cwd } = project(POLICIES)
    const cases: Array<[unknown, RegExp]> = [
      ['not json', /stdin is not JSON/],
      [{ ...bash('ls'), session_id: 7 }, /session_id is missing or not a string/],
      [{ ...bash('ls'), hook_event_name: 'PostToolUse' }, /answers PreToolUse only/],
      [
        { ...bash('ls'), tool_input: { command: { __entity: { type: 'Goblin', id: 'admin' } } } },
        /reserved by Cedar/,
      ],
    ]
    for (const [input, reason] of cases) {
      const run = await hook(cwd, input, ['--goblin', 'e2e-policy'])
      expect(run.exitCode).toBe(2)
      const answer = JSON.parse(run.stdout) as ClaudeHookOutput
      expect(answer.hookSpecificOutput.permissionDecision).toBe('deny')
      expect(answer.hookSpecificOutput.permissionDecisionReason).toMatch(
        /^goblin policy hook failed closed: /,
      )
      expect(run.stderr).toMatch(reason)
    }
    writeFileSync(join(cwd, 'policies', 'broken.cedar'), 'permit(principal, action, resource')
    const broken = await hook(cwd, bash('ls'), ['--goblin', 'e2e-policy'])
    expect(broken.exitCode).toBe(2)
    expect(broken.stderr).toMatch(/policies\/broken\.cedar:1:\d+: /)
  })
})
