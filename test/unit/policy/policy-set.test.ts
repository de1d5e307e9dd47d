import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadCedar } from '../../../src/policy/cedar.js'
import { parseEntity } from '../../../src/policy/entities.js'
import { evaluateQuery } from '../../../src/policy/evaluate.js'
import { loadPolicies } from '../../../src/policy/load-policies.js'
import { parsePolicySet, policyHead } from '../../../src/policy/policy-set.js'
import { runPolicyTests } from '../../../src/policy/policy-tests.js'
import { validatePolicies } from '../../../src/policy/validate.js'
import { tempDir } from '../../helpers/cli.js'

// Real Cedar (@cedar-policy/cedar-wasm) throughout: nothing here stands in for the evaluator.

let dirs: Array<{ cleanup: () => void }> = []
afterEach(() => {
  for (const d of dirs) d.cleanup()
  dirs = []
})

/** A project with goblin.config.json and the given files. */
function project(files: Record<string, string>, config: object = {}): string {
  const dir = tempDir('goblin-policy-')
  dirs.push(dir)
  writeFileSync(join(dir.path, 'goblin.config.json'), JSON.stringify(config))
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir.path, name, '..'), { recursive: true })
    writeFileSync(join(dir.path, name), text)
  }
  return dir.path
}

const TOOLS = `// Tools per goblin.
@id("researcher-reads")
permit(principal == Goblin::"researcher", action == Action::"tool.call", resource)
when { resource in [Tool::"Read", Tool::"Grep"] };

@id("no-rm-rf")
@reason("rm -rf is not allowed here")
forbid(principal, action == Action::"tool.call", resource == Tool::"Bash")
when { context.input has command && context.input.command like "*rm -rf*" };

permit(principal == Goblin::"researcher", action == Action::"tool.call", resource == Tool::"Bash");
`

describe('entities', () => {
  it('reads Type::"id", and bare ids by role and action', () => {
    expect(parseEntity('Tool::"Bash"', 'resource')).toEqual({ type: 'Tool', id: 'Bash' })
    expect(parseEntity('Agent::"claude-code"', 'principal')).toEqual({ type: 'Agent', id: 'claude-code' })
    expect(parseEntity('Tool::"say \\"hi\\""', 'resource')).toEqual({ type: 'Tool', id: 'say "hi"' })
    expect(parseEntity('researcher', 'principal')).toEqual({ type: 'Goblin', id: 'researcher' })
    expect(parseEntity('prod', 'resource', 'deploy')).toEqual({ type: 'Stage', id: 'prod' })
    expect(parseEntity('gpt-4o', 'resource', 'llm.call')).toEqual({ type: 'Model', id: 'gpt-4o' })
    expect(() => parseEntity('Tool::Bash', 'resource')).toThrow(/not an entity: write Type::"id"/)
    expect(() => parseEntity('x', 'resource', 'custom.act')).toThrow(/has no default resource type/)
  })
})

describe('policy files', () => {
  it('names each policy by @id or file:line, and evaluates with the determining ids and reasons', async () => {
    const cwd = project({ 'policies/tools.cedar': TOOLS })
    const { evaluator } = await loadPolicies(cwd)
    expect(evaluator.set.policies.map((p) => [p.id, p.line, p.effect])).toEqual([
      ['researcher-reads', 2, 'permit'],
      ['no-rm-rf', 6, 'forbid'],
      ['policies/tools.cedar:11', 11, 'permit'],
    ])
    const ask = (resource: string, input: object, principal = 'researcher') =>
      evaluateQuery(evaluator, {
        principal: parseEntity(principal, 'principal'),
        action: 'tool.call',
        resource: parseEntity(resource, 'resource', 'tool.call'),
        context: { input },
      })
    expect(await ask('Bash', { command: 'ls' })).toMatchObject({
      decision: 'allow',
      policyIds: ['policies/tools.cedar:11'],
      reasons: ['permitted by policies/tools.cedar:11'],
    })
    expect(await ask('Bash', { command: 'rm -rf /' })).toMatchObject({
      decision: 'deny',
      policyIds: ['no-rm-rf'],
      reasons: ['rm -rf is not allowed here'],
    })
    expect(await ask('Read', { file_path: '/x' }, 'writer')).toMatchObject({
      decision: 'deny',
      policyIds: [],
      reasons: ['no policy permits Goblin::"writer" to tool.call Tool::"Read"'],
    })
  })

  it('refuses a syntax error at its file, line and column (columns in characters, Cedar counts bytes)', async () => {
    const cwd = project({
      'policies/a.cedar': 'permit(principal, action, resource);\n',
      'policies/b.cedar': '// café ünïcödé\npermit(principal, action, resource) when { 1 + };\n',
    })
    await expect(loadPolicies(cwd)).rejects.toMatchObject({
      code: 'POLICY_INVALID',
      exit: 2,
      message: expect.stringMatching(/^policies\/b\.cedar:2:48: unexpected token `}`/),
    })
  })

  it("reads annotations and effect as Cedar does (checked against Cedar's own JSON form)", async () => {
    const cedar = await loadCedar()
    const heads = [
      '@id("a") @reason("say \\"no\\" \\\\ then \\u{1F600} \\n") forbid(principal, action, resource);',
      '@ask\n// a comment between\n@id( "spaced" )\nforbid (principal, action, resource);',
      'permit(principal, action, resource) when { context.input has command };',
      '@reason("ünïcödé \\t tab")@id("tight")permit(principal, action, resource);',
    ]
    for (const text of heads) {
      const json = cedar.policyToJson(text)
      if (json.type !== 'success') throw new Error(JSON.stringify(json.errors))
      expect(policyHead(text), text).toEqual({
        effect: json.json.effect,
        annotations: json.json.annotations ?? {},
      })
    }
  })

  it('refuses two policies with one @id', async () => {
    const cedar = await loadCedar()
    const text =
      '@id("x")\npermit(principal, action, resource);\n@id("x")\nforbid(principal, action, resource);\n'
    const { set, problems } = parsePolicySet(cedar, [{ name: 'p.cedar', path: '/p.cedar', text }])
    expect(set).toBeNull()
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'p.cedar',
        line: 3,
        message: 'policy id "x" is already used at p.cedar:1:1',
      }),
    ])
  })

  it('names the set by a hash of its files: an edit changes it', async () => {
    const cwd = project({ 'policies/tools.cedar': TOOLS })
    const before = (await loadPolicies(cwd)).evaluator.set.sha256
    writeFileSync(join(cwd, 'policies/tools.cedar'), `${TOOLS}\n`)
    const after = (await loadPolicies(cwd)).evaluator.set.sha256
    expect(before).toMatch(/^[0-9a-f]{64}$/)
    expect(after).not.toBe(before)
  })

  it('reads policy.files from goblin.config.json, and a missing configured path is bad input', async () => {
    const cwd = project(
      { 'rules/one.cedar': 'permit(principal, action, resource);' },
      { policy: { files: ['rules'] } },
    )
    expect((await loadPolicies(cwd)).evaluator.set.files).toEqual(['rules/one.cedar'])
    const missing = project({}, { policy: { files: ['nowhere/'] } })
    await expect(loadPolicies(missing)).rejects.toMatchObject({ code: 'POLICY_FILES_MISSING', exit: 2 })
    // The default policies/ may be absent: an empty set, which permits nothing.
    const empty = project({})
    const { evaluator } = await loadPolicies(empty)
    expect(
      evaluator.decide({
        principal: { type: 'Goblin', id: 'g' },
        action: { type: 'Action', id: 'deploy' },
        resource: { type: 'Stage', id: 'prod' },
        context: {},
      }).reasons,
    ).toEqual(['no policy permits Goblin::"g" to deploy Stage::"prod" (the policy set is empty)'])
  })

  it('refuses a context member Cedar would read as an entity or extension (a model writes tool inputs)', async () => {
    const cwd = project({ 'policies/tools.cedar': TOOLS })
    const { evaluator } = await loadPolicies(cwd)
    await expect(
      evaluateQuery(evaluator, {
        principal: { type: 'Goblin', id: 'researcher' },
        action: 'tool.call',
        resource: { type: 'Tool', id: 'Bash' },
        context: { input: { command: { __entity: { type: 'Goblin', id: 'admin' } } } },
      }),
    ).rejects.toMatchObject({
      code: 'POLICY_BAD_CONTEXT',
      message: expect.stringContaining('context.input.command.__entity'),
    })
  })

  it('marks a forbid with @ask, and reports a policy that failed to evaluate', async () => {
    const cwd = project({
      'policies/p.cedar': `@id("ask-push") @ask @reason("pushing needs a person")
forbid(principal, action == Action::"tool.call", resource == Tool::"Bash") when { context.input.command like "git push*" };
@id("broken") forbid(principal, action, resource) when { context.input.nope == 1 };
permit(principal, action, resource);`,
    })
    const { evaluator } = await loadPolicies(cwd)
    const decision = await evaluateQuery(evaluator, {
      principal: { type: 'Agent', id: 'claude-code' },
      action: 'tool.call',
      resource: { type: 'Tool', id: 'Bash' },
      context: { input: { command: 'git push origin main' } },
    })
    expect(decision).toMatchObject({ decision: 'deny', ask: true, reasons: ['pushing needs a person'] })
    expect(decision.errors).toEqual([
      { policyId: 'broken', message: expect.stringMatching(/^policies\/p\.cedar:3: .*nope/) },
    ])
  })
})

describe('validation against the schema', () => {
  it('passes good policies and locates schema errors with a suggestion', async () => {
    expect((await validatePolicies(project({ 'policies/tools.cedar': TOOLS }))).errors).toEqual([])
    const cwd = project({
      'policies/typo.cedar': `permit(principal, action == Action::"tool.call", resource)
  when { context.input has command && context.input.comand like "ls*" };
permit(principal == Gobline::"x", action, resource);
permit(principal, action == Action::"tool.call", resource) when { context.input.command == "ls" };
`,
    })
    const report = await validatePolicies(cwd)
    expect(report.errors.map((e) => [e.file, e.line, e.column])).toEqual([
      ['policies/typo.cedar', 2, 39],
      ['policies/typo.cedar', 3, 21],
      ['policies/typo.cedar', 4, 67],
    ])
    expect(report.errors[0]).toMatchObject({ help: 'did you mean `command`?' })
    expect(report.errors[1]?.message).toMatch(/Gobline/)
    // An optional attribute read without `has` is an error in strict mode.
    expect(report.errors[2]?.message).toMatch(/optional|command/)
  })

  it('validates against policy.schema when given, and locates its own syntax errors', async () => {
    const custom = project(
      {
        'policies/p.cedar': 'permit(principal, action == Action::"publish", resource);',
        'my.cedarschema':
          'entity Goblin, Channel;\naction publish appliesTo { principal: [Goblin], resource: [Channel] };\n',
      },
      { policy: { schema: 'my.cedarschema' } },
    )
    expect(await validatePolicies(custom)).toMatchObject({ schema: 'my.cedarschema', errors: [] })
    // Against goblin's schema the custom action is unknown.
    const plain = project({ 'policies/p.cedar': 'permit(principal, action == Action::"publish", resource);' })
    expect((await validatePolicies(plain)).errors[0]?.message).toMatch(/publish/)
    const broken = project(
      {
        'policies/p.cedar': 'permit(principal, action, resource);',
        'bad.cedarschema': 'entity Goblin\naction x;',
      },
      { policy: { schema: 'bad.cedarschema' } },
    )
    expect((await validatePolicies(broken)).errors[0]).toMatchObject({
      file: 'bad.cedarschema',
      line: 2,
      column: 1,
    })
  })
})

describe('decision tests beside the policies', () => {
  it('passes matching cases, fails a wrong decision or wrong policies, and refuses a malformed file', async () => {
    const cwd = project({
      'policies/tools.cedar': TOOLS,
      'policies/tools.test.json': JSON.stringify({
        cases: [
          {
            name: 'ls runs',
            principal: 'researcher',
            action: 'tool.call',
            resource: 'Bash',
            context: { input: { command: 'ls' } },
            expect: 'allow',
          },
          {
            name: 'rm -rf is denied',
            principal: 'researcher',
            action: 'tool.call',
            resource: 'Bash',
            context: { input: { command: 'rm -rf /' } },
            expect: 'deny',
            policies: ['no-rm-rf'],
          },
          {
            name: 'wrong on purpose',
            principal: 'writer',
            action: 'tool.call',
            resource: 'Read',
            expect: 'allow',
          },
          {
            name: 'wrong policy',
            principal: 'researcher',
            action: 'tool.call',
            resource: 'Read',
            expect: 'allow',
            policies: ['no-rm-rf'],
          },
        ],
      }),
    })
    const report = await runPolicyTests([], cwd)
    expect(report.cases.map((c) => [c.name, c.passed])).toEqual([
      ['ls runs', true],
      ['rm -rf is denied', true],
      ['wrong on purpose', false],
      ['wrong policy', false],
    ])
    expect(report).toMatchObject({ passed: 2, failed: 2, files: ['policies/tools.test.json'] })
    writeFileSync(
      join(cwd, 'bad.test.json'),
      JSON.stringify({
        cases: [{ name: 'x', principal: 'a', action: 'deploy', resource: 'prod', expect: 'maybe' }],
      }),
    )
    await expect(runPolicyTests(['bad.test.json'], cwd)).rejects.toMatchObject({
      code: 'POLICY_BAD_TESTS',
      message: expect.stringMatching(/^bad\.test\.json: cases\[0\]\.expect: /),
    })
  })
})
