import { randomBytes } from 'node:crypto'
import { GoblinError, unreachableError } from '../core/errors.js'
import { httpGetText, httpPostText } from '../core/http-get.js'
import { goblinBin } from '../stack/package-root.js'
import type { AgentInfo } from './agents.js'
import { locateAgent } from './installed.js'
import { type RunUsage, runUsage } from './run-usage.js'
import { agentTelemetry, checkLabel } from './telemetry-setup.js'

export interface AgentRunOptions {
  agent: AgentInfo
  /** The agent's own arguments, passed through verbatim after goblin's. */
  args: string[]
  goblin?: string
  /** Default: a fresh `run-<hex>` id, so this run's calls can be told from every other's. */
  task?: string
  /** Claude Code, Codex CLI: run `goblin policy hook claude|codex` before every tool call. */
  policy: boolean
  /** The collector's OTLP/HTTP base URL. */
  endpoint: string
  env: NodeJS.ProcessEnv
  cwd: string
  home: string
  /** Send the agent's stdout to goblin's stderr (`--json`, where stdout holds only goblin's document). */
  stdoutToStderr: boolean
}

export interface AgentRunResult {
  agent: AgentInfo['id']
  /** The agent's exit code, which `goblin agent run` exits with. */
  exitCode: number
  goblin: string | null
  task: string
  traceId: string
  /** Whether goblin's own span of the run reached the collector. */
  exported: boolean
  /** The run's LLM calls; null when the collector is not goblin's embedded one, whose store is local. */
  usage: RunUsage | null
  /** Why `usage` is null. */
  note?: string
}

/**
 * `goblin agent run`: checks that the collector answers, then runs the agent inside one goblin span
 * (src/trace/exec.ts) with its telemetry pointed at the collector and labelled with goblin and task ids,
 * and reads back what the run's calls cost.
 */
export async function runAgent(options: AgentRunOptions): Promise<AgentRunResult> {
  const goblin = checkLabel('--goblin', options.goblin)
  const task = checkLabel('--task', options.task) ?? `run-${randomBytes(6).toString('hex')}`
  // Bad input first: nothing is looked up or started for a run that cannot happen.
  const telemetry = agentTelemetry(
    options.agent.id,
    {
      endpoint: options.endpoint,
      goblin,
      task,
      ...(options.policy
        ? { preToolUseHook: policyHookCommand(options.agent.id, options.endpoint, goblin, task) }
        : {}),
    },
    options.env,
  )
  const location = await locateAgent(options.agent, options.env, options.cwd)
  if (!location) {
    throw new GoblinError(
      'AGENT_NOT_INSTALLED',
      `${options.agent.name} (${options.agent.bin}) is not installed`,
      {
        hint: `Install it with npm install -g ${options.agent.npmPackage}, or put ${options.agent.bin} on PATH.`,
      },
    )
  }
  await probeCollector(options.endpoint)
  const embedded = await isGoblinCollector(options.endpoint)
  const env: NodeJS.ProcessEnv = { ...options.env }
  for (const name of telemetry.unset) delete env[name]
  Object.assign(env, telemetry.env)

  const { execTraced } = await import('../trace/exec.js')
  const startNs = BigInt(Date.now()) * 1_000_000n
  const run = await execTraced({
    command: location.path,
    args: [...telemetry.args, ...options.args],
    name: `agent ${options.agent.id}`,
    attributes: {
      ...(goblin ? { 'goblin.id': goblin } : {}),
      'task.id': task,
      'goblin.agent': options.agent.id,
    },
    env,
    serviceName: 'goblin',
    endpoint: options.endpoint,
    stdoutToStderr: options.stdoutToStderr,
  })
  if (run.startError)
    throw new GoblinError('AGENT_START_FAILED', `${location.path} did not start: ${run.startError}`)
  // The agents flush their telemetry before they exit, and the collector answers only once it is stored.
  const usage = embedded
    ? await runUsage({
        home: options.home,
        task,
        sinceNs: startNs - CLOCK_SLACK_NS,
        untilNs: BigInt(Date.now()) * 1_000_000n + CLOCK_SLACK_NS,
      })
    : null
  return {
    agent: options.agent.id,
    exitCode: run.exitCode,
    goblin: goblin ?? null,
    task,
    traceId: run.traceId,
    exported: run.export.ok && run.export.spans > 0,
    usage,
    ...(usage
      ? {}
      : {
          note: `${options.endpoint} is not goblin's embedded collector: see that stack's own reports for task ${task}`,
        }),
  }
}

/** Times in the agents' telemetry come from their own clocks (the same machine's): a second either side. */
const CLOCK_SLACK_NS = 1_000_000_000n

/** The hook command the agent runs: this goblin, by absolute paths, so it need not be on PATH. */
function policyHookCommand(
  agent: AgentInfo['id'],
  endpoint: string,
  goblin: string | undefined,
  task: string,
): string {
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`
  // Claude Code gives hooks neither OTEL_* variables nor the resource attributes: say it all by flag.
  const command = `${quote(process.execPath)} ${quote(goblinBin())} policy hook ${agent} --endpoint ${quote(endpoint)} --task ${quote(task)}`
  return goblin ? `${command} --goblin ${quote(goblin)}` : command
}

const PROBE_TIMEOUT_MS = 3_000

/** True when goblin's embedded collector answers at `endpoint` (its /health names it), whose store is local. */
async function isGoblinCollector(endpoint: string): Promise<boolean> {
  try {
    const response = await httpGetText(`${endpoint}/health`, {}, PROBE_TIMEOUT_MS)
    const health = JSON.parse(response.text) as { service?: unknown }
    return response.ok && health.service === 'goblin-collector'
  } catch {
    return false
  }
}

/**
 * An empty OTLP logs request: any OTLP/HTTP collector (goblin's, the stack's OpenTelemetry Collector)
 * answers it 200. Without one listening, the agent's telemetry would be lost without a word.
 */
async function probeCollector(endpoint: string): Promise<void> {
  const hint = `Start one with goblin collector serve (or goblin stack up), or pass --endpoint.`
  try {
    const response = await httpPostText(
      `${endpoint}/v1/logs`,
      { 'content-type': 'application/json' },
      '{"resourceLogs":[]}',
      PROBE_TIMEOUT_MS,
    )
    if (response.ok) return
    throw unreachableError(
      'AGENT_COLLECTOR_REFUSED',
      `the collector at ${endpoint} answered ${response.status} to an empty OTLP logs request`,
      hint,
    )
  } catch (error) {
    if (error instanceof GoblinError) throw error
    throw unreachableError('AGENT_COLLECTOR_DOWN', `no OTLP collector answers at ${endpoint}`, hint, error)
  }
}
