import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { PolicyCheck } from '../../../src/policy/check.js'
import type { PolicyTestReport } from '../../../src/policy/policy-tests.js'
import type { ValidationReport } from '../../../src/policy/validate.js'
import { parseJson, runGoblin, tempDir } from '../../helpers/cli.js'

// The built CLI with real Cedar, in a project of its own.
const home = tempDir()
const work = tempDir('goblin-policy-e2e-')
afterAll(() => {
  home.cleanup()
  work.cleanup()
})

function project(name: string, files: Record<string, string>): string {
  const dir = join(work.path, name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'goblin.config.json'), '{}')
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true })
    writeFileSync(join(dir, file), text)
  }
  return dir
}

const goblin = (cwd: string, args: string[]) => runGoblin(args, { cwd, env: { GOBLIN_HOME: home.path } })

/** `policy check` of goblin d deploying to prod. */
const CHECK_PROD = ['policy', 'check', '--principal', 'd', '--action', 'deploy', '--resource', 'prod']

const DEPLOYS = `@id("deploy-in-task")
permit(principal, action == Action::"deploy", resource) when { context has task };
@id("no-prod-outside-task")
@reason("deploys to prod happen inside a task")
forbid(principal, action == Action::"deploy", resource == Stage::"prod") unless { context has task };
@id("staging-any-time")
permit(principal, action == Action::"deploy", resource == Stage::"staging");
`

describe('goblin policy check / validate / test', { timeout: 60_000 }, () => {
  const cwd = project('deploys', {
    'policies/deploys.cedar': DEPLOYS,
    'policies/deploys.test.json': JSON.stringify({
      cases: [
        {
          name: 'prod in a task',
          principal: 'deployer',
          action: 'deploy',
          resource: 'prod',
          context: { task: 'T-1' },
          expect: 'allow',
        },
        {
          name: 'prod outside a task',
          principal: 'deployer',
          action: 'deploy',
          resource: 'prod',
          expect: 'deny',
          policies: ['no-prod-outside-task'],
        },
      ],
    }),
  })

  it('check: exit 0 on allow, 1 on deny, with the determining policies in --json', async () => {
    const allow = await goblin(cwd, [...CHECK_PROD, '--context', '{"task":"T-9"}'])
    expect(allow.exitCode, allow.stderr).toBe(0)
    expect(allow.stdout).toContain('allow: Goblin::"d" Action::"deploy" Stage::"prod"')
    const typed = ['--principal', 'Goblin::"d"', '--action', 'deploy', '--resource', 'Stage::"prod"']
    const deny = await goblin(cwd, ['policy', 'check', ...typed, '--json'])
    expect(deny.exitCode).toBe(1)
    expect(parseJson<PolicyCheck>(deny)).toMatchObject({
      decision: 'deny',
      policyIds: ['no-prod-outside-task'],
      reasons: ['deploys to prod happen inside a task'],
      policySetSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      files: ['policies/deploys.cedar'],
    })
  })

  it('check: bad input is exit 2 saying what and where', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--context', '{not json'], /--context is not valid JSON/],
      [['--context', '[1]'], /--context must be a JSON object/],
      [
        ['--context', '{"input":{"x":{"__extn":{"fn":"ip","arg":"1.2.3.4"}}}}'],
        /context\.input\.x\.__extn: "__extn" is reserved/,
      ],
      [['--context', '{"time":"yesterday"}'], /context\.time: "yesterday" is not an RFC 3339 time/],
    ]
    for (const [extra, message] of cases) {
      const run = await goblin(cwd, [...CHECK_PROD, ...extra, '--json'])
      expect(run.exitCode, extra.join(' ')).toBe(2)
      expect(parseJson<{ error: { message: string } }>(run).error.message).toMatch(message)
    }
    const badResource = await goblin(cwd, [
      'policy',
      'check',
      '--principal',
      'd',
      '--action',
      'x.y',
      '--resource',
      'thing',
    ])
    expect(badResource.exitCode).toBe(2)
    expect(badResource.stderr).toContain('needs its type')
    const missing = await goblin(cwd, ['policy', 'check', '--principal', 'd', '--action', 'deploy'])
    expect(missing.exitCode).toBe(2)
  })

  it('test: runs the cases beside the policies, and exits 1 on a mismatch', async () => {
    const ok = await goblin(cwd, ['policy', 'test'])
    expect(ok.exitCode, ok.stdout + ok.stderr).toBe(0)
    expect(ok.stdout).toContain('2 passed, 0 failed')
    writeFileSync(
      join(cwd, 'wrong.test.json'),
      JSON.stringify({
        cases: [
          { name: 'staging denied?', principal: 'd', action: 'deploy', resource: 'staging', expect: 'deny' },
        ],
      }),
    )
    const wrong = await goblin(cwd, ['policy', 'test', 'wrong.test.json', '--json'])
    expect(wrong.exitCode).toBe(1)
    expect(parseJson<PolicyTestReport>(wrong).cases).toEqual([
      expect.objectContaining({
        name: 'staging denied?',
        passed: false,
        decision: 'allow',
        policyIds: ['staging-any-time'],
      }),
    ])
  })

  it('validate: syntax and schema errors at file:line:column, exit 1; check refuses a broken set with exit 2', async () => {
    const broken = project('broken', {
      'policies/ok.cedar': DEPLOYS,
      'policies/typo.cedar':
        '// a typo in an attribute\npermit(principal, action == Action::"tool.call", resource == Tool::"Bash")\n  when { context.input has command && context.input.comand == "ls" };\n',
    })
    const schema = await goblin(broken, ['policy', 'validate'])
    expect(schema.exitCode).toBe(1)
    expect(schema.stdout).toMatch(
      /^error: policies\/typo\.cedar:3:39: .*input\.comand.*did you mean `command`\?/m,
    )
    writeFileSync(join(broken, 'policies/syntax.cedar'), 'permit(principal, action, resource)\n')
    const syntax = await goblin(broken, ['policy', 'validate', '--json'])
    expect(syntax.exitCode).toBe(1)
    expect(parseJson<ValidationReport>(syntax).errors).toEqual([
      expect.objectContaining({ file: 'policies/syntax.cedar', line: 1, column: 36 }),
    ])
    const check = await goblin(broken, CHECK_PROD)
    expect(check.exitCode).toBe(2)
    expect(check.stderr).toMatch(/policies\/syntax\.cedar:1:36: /)
  })
})
