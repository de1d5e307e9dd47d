import { usageError } from '../core/errors.js'
import { type Cedar, loadCedar } from './cedar.js'
import { PolicyEvaluator } from './decide.js'
import { type PolicyLocation, policyLocation, policyStamp, readPolicySources } from './policy-files.js'
import { parsePolicySet, type SourceProblem } from './policy-set.js'

export interface LoadedPolicies {
  location: PolicyLocation
  evaluator: PolicyEvaluator
}

/** A located problem as one line: `file:line:column: message`. */
export function formatProblem(p: SourceProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.message}${p.help ? ` (${p.help})` : ''}`
}

/** The project's policies, parsed; a syntax error or a duplicate id is exit 2 naming file, line and column. */
export async function loadPolicies(cwd: string = process.cwd(), cedar?: Cedar): Promise<LoadedPolicies> {
  const location = policyLocation(cwd)
  const engine = cedar ?? (await loadCedar())
  const { set, problems } = parsePolicySet(engine, readPolicySources(location))
  if (!set) {
    const more =
      problems.length > 1 ? ` (and ${problems.length - 1} more: goblin policy validate lists them)` : ''
    throw usageError(
      'POLICY_INVALID',
      `${formatProblem(problems[0] as SourceProblem)}${more}`,
      'Fix the policy file; goblin policy validate checks syntax and schema.',
    )
  }
  return { location, evaluator: new PolicyEvaluator(engine, set) }
}

const cached = new Map<string, { stamp: string; loaded: LoadedPolicies }>()

/**
 * The project's policies for a long-running caller (the SDK guard): parsed once, and again whenever a
 * policy file or directory changes (size, time or inode), so each decision names the set it was made by.
 */
export async function currentPolicies(cwd: string = process.cwd()): Promise<LoadedPolicies> {
  const held = cached.get(cwd)
  if (held && policyStamp(held.loaded.location) === held.stamp) return held.loaded
  const location = policyLocation(cwd)
  const stamp = policyStamp(location)
  const loaded = await loadPolicies(cwd)
  cached.set(cwd, { stamp, loaded })
  return loaded
}
