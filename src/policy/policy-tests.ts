import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { z } from 'zod'
import { usageError } from '../core/errors.js'
import { parseEntity } from './entities.js'
import { loadPolicies } from './load-policies.js'
import { displayName, listFiles, TEST_CASES_SUFFIX } from './policy-files.js'
import { requestContext } from './request-context.js'

/**
 * Decision test cases kept beside the policies (`*.test.json` under policy.files): each names a request and
 * the decision it must get, and optionally the policies that must determine it. `context.cost` is never
 * measured here: a case that needs it gives it, so a test means the same on every machine.
 */
const caseSchema = z.strictObject({
  name: z.string().min(1),
  principal: z.string().min(1),
  action: z.string().min(1),
  resource: z.string().min(1),
  context: z.record(z.string(), z.unknown()).optional(),
  expect: z.enum(['allow', 'deny']),
  /** The determining policy ids, in any order. */
  policies: z.array(z.string()).optional(),
})
const fileSchema = z.strictObject({ $schema: z.string().optional(), cases: z.array(caseSchema).min(1) })

export interface CaseResult {
  file: string
  name: string
  expected: 'allow' | 'deny'
  decision: 'allow' | 'deny'
  policyIds: string[]
  expectedPolicies?: string[]
  passed: boolean
  reasons: string[]
  errors: string[]
}

export interface PolicyTestReport {
  policySetSha256: string
  files: string[]
  cases: CaseResult[]
  passed: number
  failed: number
}

/** Runs the test files given (default: every `*.test.json` under the project's policy files). */
export async function runPolicyTests(
  files: string[] = [],
  cwd: string = process.cwd(),
): Promise<PolicyTestReport> {
  const { location, evaluator } = await loadPolicies(cwd)
  const paths = files.length > 0 ? files.map((f) => resolve(cwd, f)) : listFiles(location, TEST_CASES_SUFFIX)
  if (paths.length === 0) {
    throw usageError(
      'POLICY_NO_TESTS',
      `no ${TEST_CASES_SUFFIX} files under ${location.entries.map((e) => displayName(location, e)).join(', ')}`,
      `Write decision cases in a file ending ${TEST_CASES_SUFFIX} beside the policies (docs/policy.md, "Testing policies").`,
    )
  }
  const cases: CaseResult[] = []
  for (const path of paths) {
    const name = displayName(location, path)
    for (const c of readCases(path, name)) {
      const where = `${name}: case "${c.name}"`
      const principal = parseEntity(c.principal, 'principal')
      const action = parseEntity(c.action, 'action')
      const resource = parseEntity(c.resource, 'resource', action.id)
      const decision = evaluator.decide({
        principal,
        action,
        resource,
        context: requestContext({ given: c.context ?? {} }),
      })
      const policiesMatch =
        c.policies === undefined ||
        JSON.stringify([...c.policies].sort()) === JSON.stringify([...decision.policyIds].sort())
      cases.push({
        file: name,
        name: c.name,
        expected: c.expect,
        decision: decision.decision,
        policyIds: decision.policyIds,
        ...(c.policies ? { expectedPolicies: c.policies } : {}),
        passed: decision.decision === c.expect && policiesMatch,
        reasons: decision.reasons,
        errors: decision.errors.map((e) => `${where}: ${e.message}`),
      })
    }
  }
  const passed = cases.filter((c) => c.passed).length
  return {
    policySetSha256: evaluator.set.sha256,
    files: paths.map((p) => displayName(location, p)),
    cases,
    passed,
    failed: cases.length - passed,
  }
}

function readCases(path: string, name: string): z.infer<typeof caseSchema>[] {
  let json: unknown
  try {
    json = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw usageError(
      'POLICY_BAD_TESTS',
      code ? `${name}: cannot read it (${code})` : `${name}: not valid JSON (${(error as Error).message})`,
      'A test file is {"cases": [{"name", "principal", "action", "resource", "context"?, "expect", "policies"?}]}.',
    )
  }
  const parsed = fileSchema.safeParse(json)
  if (parsed.success) return parsed.data.cases
  const issue = parsed.error.issues[0] as z.core.$ZodIssue
  const field = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')
  throw usageError(
    'POLICY_BAD_TESTS',
    `${name}: ${field.replace(/^\./, '') || '(top level)'}: ${issue.code === 'unrecognized_keys' ? `unknown field "${issue.keys[0]}"` : issue.message}`,
    'A test file is {"cases": [{"name", "principal", "action", "resource", "context"?, "expect": "allow"|"deny", "policies"?}]}.',
  )
}
