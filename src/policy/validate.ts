import { readFileSync } from 'node:fs'
import type { DetailedError } from '@cedar-policy/cedar-wasm/nodejs'
import { loadCedar } from './cedar.js'
import { displayName, policyLocation, readPolicySources } from './policy-files.js'
import { locateError, parsePolicySet, type SourceProblem } from './policy-set.js'
import { GOBLIN_SCHEMA } from './schema.js'

export interface ValidationReport {
  files: string[]
  policies: number
  /** `goblin` for the shipped schema, else the project's schema file. */
  schema: string
  policySetSha256: string | null
  errors: SourceProblem[]
  warnings: SourceProblem[]
}

/**
 * `goblin policy validate`: the project's policy files parsed (syntax, duplicate ids) and, when they parse,
 * validated against the schema in Cedar's strict mode (unknown entity types, actions and attributes, wrong
 * types, optional attributes read without `has`), each problem at its file, line and column.
 */
export async function validatePolicies(cwd: string = process.cwd()): Promise<ValidationReport> {
  const cedar = await loadCedar()
  const location = policyLocation(cwd)
  const sources = readPolicySources(location)
  const schemaName = location.schema ? displayName(location, location.schema) : 'goblin'
  const schemaText = location.schema ? readFileSync(location.schema, 'utf8') : GOBLIN_SCHEMA
  const report: ValidationReport = {
    files: sources.map((s) => s.name),
    policies: 0,
    schema: schemaName,
    policySetSha256: null,
    errors: [],
    warnings: [],
  }
  const schemaParse = cedar.checkParseSchema(schemaText)
  if (schemaParse.type === 'failure') {
    for (const e of schemaParse.errors) report.errors.push(...locateError(e, schemaName, schemaText, 0))
  }
  const { set, problems } = parsePolicySet(cedar, sources)
  report.errors.push(...problems)
  if (!set || schemaParse.type === 'failure') return report
  report.policies = set.policies.length
  report.policySetSha256 = set.sha256
  const answer = cedar.validate({
    schema: schemaText,
    validationSettings: { mode: 'strict' },
    policies: { staticPolicies: Object.fromEntries(set.policies.map((p) => [p.id, p.text])) },
  })
  if (answer.type === 'failure') {
    for (const e of answer.errors) report.errors.push(...locateError(e, schemaName, schemaText, 0))
    return report
  }
  const locate = (list: Array<{ policyId: string; error: DetailedError }>) =>
    dedupe(
      list.flatMap(({ policyId, error }) => {
        const policy = set.byId.get(policyId)
        const source = sources.find((s) => s.name === policy?.file)
        if (!policy || !source) return []
        return locateError(error, policy.file, source.text, policy.offset, policyId)
      }),
    )
  report.errors.push(...locate(answer.validationErrors).sort(byPlace))
  report.warnings.push(...locate(answer.validationWarnings).sort(byPlace))
  return report
}

/** Cedar reports a problem once per action a policy may apply to: one line each is enough. */
function dedupe(problems: SourceProblem[]): SourceProblem[] {
  const seen = new Set<string>()
  return problems.filter((p) => {
    const key = `${p.file}:${p.line}:${p.column}:${p.message.replace(/ for Action::"[^"]*"/g, '')}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

function byPlace(a: SourceProblem, b: SourceProblem): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column
}
