import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Envelope } from '../../../src/audit/envelope.js'
import { GOBLIN_BIN, REPO_ROOT, runGoblin, tempDir } from '../../helpers/cli.js'
import { FakeModelServer, type ModelRequest } from '../../support/fake-model-server.js'

/**
 * `goblin policy hook gemini` driven by the real Gemini CLI 0.61 from npm, configured the way Gemini CLI
 * runs hooks (hooks.BeforeTool in the user's settings.json, here a throwaway HOME's), against a fake model
 * server on 127.0.0.1 (the one stand-in: there is no model) that asks for one run_shell_command.
 */

const home = tempDir()
const user = tempDir('goblin-gemini-hook-')
beforeAll(async () => {
  expect((await runGoblin(['audit', 'keygen'], { env: { GOBLIN_HOME: home.path } })).exitCode).toBe(0)
})
afterAll(() => {
  home.cleanup()
  user.cleanup()
})

describe('goblin policy hook gemini', { timeout: 180_000 }, () => {
  it('with the real Gemini CLI: a denied shell command does not run, the model gets the reason, the log holds the signed decision', async () => {
    const project = join(user.path, 'project')
    const target = join(project, 'made-by-the-agent')
    mkdirSync(join(project, 'policies'), { recursive: true })
    writeFileSync(join(project, 'goblin.config.json'), '{}')
    writeFileSync(
      join(project, 'policies', 'tools.cedar'),
      '@id("no-touch") @reason("goblin policy: no touch")\nforbid(principal, action == Action::"tool.call", resource == Tool::"run_shell_command") when { context.input has command && context.input.command like "touch *" };\npermit(principal, action, resource);\n',
    )
    const hook = `'${process.execPath}' '${GOBLIN_BIN}' policy hook gemini --goblin e2e-gemini-policy`
    mkdirSync(join(user.path, '.gemini'))
    writeFileSync(
      join(user.path, '.gemini/settings.json'),
      JSON.stringify({
        security: { auth: { selectedType: 'gemini-api-key' } },
        hooks: { BeforeTool: [{ matcher: '.*', hooks: [{ type: 'command', command: hook }] }] },
      }),
    )
    const backend = (await FakeModelServer.start()).script('gemini', {
      toolCall: { name: 'run_shell_command', arguments: { command: `touch ${target}` } },
      when: (request: ModelRequest) => JSON.stringify(request.body).includes('run_shell_command'),
    })
    const run = await execa(
      join(REPO_ROOT, 'node_modules/.bin/gemini'),
      ['-p', 'make a file', '--yolo', '--model', 'gemini-2.5-pro'],
      {
        cwd: project,
        env: {
          HOME: user.path,
          PATH: '/usr/bin:/bin',
          GOBLIN_HOME: home.path,
          GEMINI_API_KEY: 'fake',
          GOOGLE_GEMINI_BASE_URL: backend.url,
          GEMINI_CLI_TRUST_WORKSPACE: 'true',
        },
        extendEnv: false,
        input: '',
        reject: false,
        timeout: 150_000,
      },
    ).finally(() => backend.close())
    expect(run.exitCode, run.stderr).toBe(0)
    // --yolo approves everything, and still the hook's deny wins: nothing ran, the model got the reason.
    expect(existsSync(target)).toBe(false)
    expect(backend.toolResults('gemini')[0]?.output).toContain('goblin policy: no touch')
    const entries = readFileSync(join(home.path, 'audit', 'log.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Envelope)
    expect(entries).toEqual([
      expect.objectContaining({
        goblin_id: 'e2e-gemini-policy',
        action: 'tool.call',
        decision: 'deny',
        attrs: expect.objectContaining({
          agent: 'gemini-cli',
          resource: 'Tool::"run_shell_command"',
          'policy.ids': ['no-touch'],
          'session.id': expect.stringMatching(/^[0-9a-f-]{36}$/),
        }),
      }),
    ])
    expect((await runGoblin(['audit', 'verify'], { env: { GOBLIN_HOME: home.path } })).exitCode).toBe(0)
  })

  it('answers in Gemini CLI’s format, and fails closed with exit 2', async () => {
    const cwd = join(user.path, 'project')
    const ask = (input: string) =>
      runGoblin(['policy', 'hook', 'gemini'], { env: { GOBLIN_HOME: home.path }, cwd, input })
    const allowed = await ask(
      JSON.stringify({
        session_id: 's',
        hook_event_name: 'BeforeTool',
        tool_name: 'read_file',
        tool_input: { path: 'x' },
      }),
    )
    expect(allowed.exitCode, allowed.stderr).toBe(0)
    expect(JSON.parse(allowed.stdout)).toEqual({
      decision: 'allow',
      reason: 'permitted by policies/tools.cedar:3',
    })
    const wrongEvent = await ask(
      JSON.stringify({ session_id: 's', hook_event_name: 'PreToolUse', tool_name: 'x' }),
    )
    expect(wrongEvent.exitCode).toBe(2)
    expect(JSON.parse(wrongEvent.stdout)).toMatchObject({ decision: 'deny' })
    expect(wrongEvent.stderr).toContain('this hook answers BeforeTool only')
  })
})
