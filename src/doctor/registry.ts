import type { Check, CheckContext, CheckResult, DoctorSummary } from './check.js'

/** A check that takes longer than this is reported as failed, so one hung probe never hangs doctor. */
export const CHECK_TIMEOUT_MS = 5_000

/** Runs the checks concurrently and returns their results in the checks' order. */
export async function runChecks(
  checks: Check[],
  context: CheckContext,
  timeoutMs = CHECK_TIMEOUT_MS,
): Promise<CheckResult[]> {
  return Promise.all(checks.map((check) => runOne(check, context, timeoutMs)))
}

async function runOne(check: Check, context: CheckContext, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not finish within ${timeoutMs} ms`)), timeoutMs)
  })
  try {
    const result = await Promise.race([check.run(context), timeout])
    return { id: check.id, title: check.title, ...result }
  } catch (error) {
    return {
      id: check.id,
      title: check.title,
      status: 'fail',
      detail: `the check itself failed: ${(error as Error).message}`,
      fix: 'Run again with DEBUG=goblin* and report the failure.',
    }
  } finally {
    clearTimeout(timer)
  }
}

/** Counts results by status. */
export function summarize(results: CheckResult[]): DoctorSummary {
  const summary: DoctorSummary = { ok: 0, warn: 0, fail: 0, skip: 0 }
  for (const r of results) summary[r.status] += 1
  return summary
}
