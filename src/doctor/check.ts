/** One doctor check's verdict. */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip'

export interface CheckResult {
  id: string
  title: string
  status: CheckStatus
  /** What was found, in one line (a version, a path, a port owner). */
  detail: string
  /** What to do about a warn or fail. */
  fix?: string
  /** Which plugin contributed the check; absent for goblin's own. */
  source?: string
}

export interface CheckContext {
  env: NodeJS.ProcessEnv
  cwd: string
  goblinHome: string
}

/** A check: an id, a title, and a function that inspects the machine and never throws on a finding. */
export interface Check {
  id: string
  title: string
  run(context: CheckContext): Promise<Omit<CheckResult, 'id' | 'title'>>
}

export interface DoctorSummary {
  ok: number
  warn: number
  fail: number
  skip: number
}
