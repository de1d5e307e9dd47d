import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs'
import { resolve } from 'node:path'
import { GoblinError } from '../core/errors.js'
import { homePaths } from '../core/paths.js'
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../core/private-state.js'
import { processIdentity } from '../core/process-identity.js'
import {
  type EmbeddedState,
  embeddedLogFile,
  isProcessAlive,
  isRecordedCollectorAlive,
  isStackCollector,
  readEmbeddedState,
  readEmbeddedStateFile,
  removeEmbeddedState,
  STACK_INSTANCE_ENV,
  writeEmbeddedState,
} from './embedded-state.js'
import { pause, probeHttp } from './http-probe.js'
import { goblinBin } from './package-root.js'
import { findPortConflicts, portConflictError } from './port-conflicts.js'
import type { ServiceStatus, StackDownReport, StackUpEvent, StackUpReport, StackUrl } from './stack-report.js'
import { uptimeSeconds } from './stack-report.js'

/** The embedded runtime's one service, as `status` and `logs` name it. */
export const EMBEDDED_SERVICE = 'collector'
/** How long `up` waits for the embedded collector to answer /health, unless told otherwise. */
export const EMBEDDED_UP_TIMEOUT_MS = 30_000
/** How long `down` waits after SIGTERM (the collector flushes its store) before SIGKILL. */
const STOP_GRACE_MS = 10_000
const LOG_TAIL_LINES = 20

export interface EmbeddedUpOptions {
  goblinHome: string
  host: string
  /** 0 lets the collector pick a free port; the state file then records the one it picked. */
  port: number
  timeoutMs?: number
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** Aborting (Ctrl-C) stops the collector if it was started, and `up` throws STACK_UP_INTERRUPTED. */
  signal?: AbortSignal
  onEvent?: (event: StackUpEvent) => void
  /** Why the embedded runtime was chosen, echoed in the report. */
  reason?: string
}

/**
 * Starts the embedded collector as a detached background process (`goblin collector serve`), records its
 * pid in `GOBLIN_HOME/stack/embedded.json`, sends its output to `GOBLIN_HOME/stack/embedded.log`, and waits
 * until it answers `/health`. When it already runs and answers, nothing changes.
 */
export async function embeddedUp(options: EmbeddedUpOptions): Promise<StackUpReport> {
  const { goblinHome, host } = options
  const emit = options.onEvent ?? (() => {})
  const reason = options.reason ?? 'embedded runtime requested'
  const running = readEmbeddedState(goblinHome)
  if (running) {
    if (await isCollectorHealthy(running)) {
      if (options.port !== 0 && options.port !== running.port) {
        emit({
          type: 'note',
          message: `the embedded collector already runs on port ${running.port}, not ${options.port}; run goblin stack down first to move it`,
        })
      }
      emit({ type: 'phase', service: EMBEDDED_SERVICE, phase: 'running', detail: `pid ${running.pid}` })
      return upReport(running, reason, false)
    }
    throw new GoblinError(
      'STACK_EMBEDDED_UNHEALTHY',
      `the embedded collector (pid ${running.pid}) runs but does not answer at ${healthUrl(running)}${logTail(running.logFile, 0)}`,
      {
        hint: `Stop it with goblin stack down, then run goblin stack up again. Its log: ${running.logFile}`,
      },
    )
  }
  // A state file whose process is gone is stale: forget it and start afresh.
  removeEmbeddedState(goblinHome)
  if (options.port !== 0) {
    const conflicts = await findPortConflicts([
      { service: EMBEDDED_SERVICE, name: 'otlp-http', port: options.port, host: probeHost(host) },
    ])
    if (conflicts.length > 0) throw portConflictError(conflicts)
  }
  return startCollector(options, reason, emit)
}

async function startCollector(
  options: EmbeddedUpOptions,
  reason: string,
  emit: (event: StackUpEvent) => void,
): Promise<StackUpReport> {
  const { goblinHome, host, signal } = options
  ensurePrivateDir(homePaths.stack(goblinHome))
  const logFile = embeddedLogFile(goblinHome)
  const startOffset = existsSync(logFile) ? statSync(logFile).size : 0
  const args = [goblinBin(), 'collector', 'serve', '--host', host, '--port', String(options.port)]
  const logFd = openSync(logFile, 'a', PRIVATE_FILE_MODE)
  const home = resolve(goblinHome)
  const token = randomBytes(16).toString('hex')
  let child: ChildProcess
  try {
    writeSync(
      logFd,
      `${new Date().toISOString()} goblin: starting the embedded collector: node ${args.join(' ')}\n`,
    )
    emit({ type: 'phase', service: EMBEDDED_SERVICE, phase: 'starting', detail: `${host}:${options.port}` })
    // detached: its own process group, so it outlives this command and a Ctrl-C at the terminal.
    child = spawn(process.execPath, args, {
      detached: true,
      stdio: ['ignore', logFd, logFd],
      // The token and the home in its environment are how `stack down` knows the process is this one.
      env: { ...(options.env ?? process.env), GOBLIN_HOME: home, [STACK_INSTANCE_ENV]: token },
      cwd: options.cwd,
    })
  } finally {
    closeSync(logFd)
  }
  let exited: string | null = null
  child.on('exit', (code, sig) => {
    exited = sig ? `was killed by ${sig}` : `exited with code ${code}`
  })
  child.on('error', (error) => {
    exited = `could not start: ${error.message}`
  })
  const pid = child.pid
  if (pid === undefined) {
    await pause(50)
    throw new GoblinError('STACK_EMBEDDED_SPAWN', `the embedded collector ${exited ?? 'could not start'}`, {
      hint: `Check that ${process.execPath} can run ${goblinBin()}.`,
    })
  }
  const { boot, pidns, start } = processIdentity(pid)
  let state: EmbeddedState = {
    pid,
    host,
    port: options.port,
    startedAt: new Date().toISOString(),
    logFile,
    home,
    boot,
    pidns,
    start,
    token,
  }
  writeEmbeddedState(goblinHome, state)
  emit({ type: 'phase', service: EMBEDDED_SERVICE, phase: 'waiting', detail: `pid ${pid}` })

  const deadline = Date.now() + (options.timeoutMs ?? EMBEDDED_UP_TIMEOUT_MS)
  const giveUp = async (error: GoblinError): Promise<never> => {
    await stopProcess(pid)
    removeEmbeddedState(goblinHome)
    throw error
  }
  for (;;) {
    if (signal?.aborted) {
      await giveUp(
        new GoblinError('STACK_UP_INTERRUPTED', 'interrupted: the embedded collector was stopped again', {
          hint: 'Run goblin stack up again when you are ready.',
        }),
      )
    }
    if (exited) {
      await giveUp(
        new GoblinError(
          'STACK_EMBEDDED_EXITED',
          `the embedded collector ${exited} before it answered${logTail(logFile, startOffset)}`,
          { hint: `Fix what its log says (${logFile}), then run goblin stack up again.` },
        ),
      )
    }
    if (state.port === 0) {
      const port = listeningPort(readFrom(logFile, startOffset))
      if (port) {
        state = { ...state, port }
        writeEmbeddedState(goblinHome, state)
      }
    }
    if (state.port !== 0 && (await isCollectorHealthy(state))) break
    if (Date.now() > deadline) {
      await giveUp(
        new GoblinError(
          'STACK_UNHEALTHY',
          `the embedded collector did not answer ${healthUrl(state)} within ${Math.round((options.timeoutMs ?? EMBEDDED_UP_TIMEOUT_MS) / 1000)} s; it was stopped${logTail(logFile, startOffset)}`,
          { hint: `Read its log (${logFile}), or give it longer with --timeout.` },
        ),
      )
    }
    await pause(100, signal)
  }
  child.unref()
  emit({ type: 'phase', service: EMBEDDED_SERVICE, phase: 'healthy', detail: `pid ${pid}` })
  return upReport(state, reason, true)
}

/** The embedded collector as `goblin stack status` shows it; `missing` when it does not run. */
export async function embeddedStatus(goblinHome: string): Promise<ServiceStatus | null> {
  const recorded = readEmbeddedStateFile(goblinHome)
  if (!recorded) return null
  const alive = isRecordedCollectorAlive(recorded)
  const healthy = alive && (await isCollectorHealthy(recorded))
  return {
    name: EMBEDDED_SERVICE,
    runtime: 'embedded',
    state: alive ? 'running' : 'exited',
    health: !alive ? 'none' : healthy ? 'healthy' : 'unhealthy',
    ports: [{ name: 'otlp-http', host: recorded.port, protocol: 'tcp' }],
    image: 'embedded',
    startedAt: alive ? recorded.startedAt : null,
    uptimeSeconds: alive ? uptimeSeconds(recorded.startedAt) : null,
    pid: recorded.pid,
  }
}

/**
 * Stops the embedded collector: SIGTERM (it flushes its store), SIGKILL after a grace period, then the state
 * file goes. Only the process `stack up` started for this GOBLIN_HOME is signalled (isStackCollector): not a
 * reused pid, not another home's collector named by a copied pid file.
 */
export async function embeddedDown(
  goblinHome: string,
  options: { volumes?: boolean } = {},
): Promise<StackDownReport> {
  const removed: string[] = []
  const kept: string[] = []
  const recorded = readEmbeddedStateFile(goblinHome)
  if (recorded) {
    if (isStackCollector(recorded, goblinHome)) {
      const how = await stopProcess(recorded.pid)
      removed.push(`embedded collector (pid ${recorded.pid}, ${how})`)
      appendLog(recorded.logFile, `goblin: stopped the embedded collector (pid ${recorded.pid}, ${how})`)
    } else {
      removed.push(
        `stale pid file of the embedded collector (pid ${recorded.pid} is not the collector goblin started for this GOBLIN_HOME; nothing was signalled)`,
      )
    }
    removeEmbeddedState(goblinHome)
  }
  const logFile = embeddedLogFile(goblinHome)
  if (existsSync(logFile)) {
    if (options.volumes) {
      rmSync(logFile, { force: true })
      removed.push(`log file ${logFile}`)
    } else {
      kept.push(`log file ${logFile}`)
    }
  }
  return { removed, kept }
}

/** The URLs the embedded collector serves: where to send OTLP, where to read traces and metrics. */
export function embeddedUrls(host: string, port: number): StackUrl[] {
  const base = `http://${displayHost(host)}:${port}`
  return [
    { name: 'console', url: `${base}/console/` },
    { name: 'OTLP HTTP (OTEL_EXPORTER_OTLP_ENDPOINT)', url: base },
    { name: 'OTLP traces', url: `${base}/v1/traces` },
    { name: 'OTLP logs', url: `${base}/v1/logs` },
    { name: 'query API (Tempo-shaped)', url: `${base}/api/search` },
    { name: 'metrics', url: `${base}/metrics` },
    { name: 'health', url: `${base}/health` },
  ]
}

/** The lines of the collector's log file from the start of the file. */
export function readEmbeddedLog(goblinHome: string): { file: string; lines: string[]; size: number } {
  const file = embeddedLogFile(goblinHome)
  if (!existsSync(file)) {
    throw new GoblinError('STACK_NO_LOGS', `the embedded collector has no log file (${file})`, {
      hint: 'Start it with goblin stack up --runtime embedded.',
    })
  }
  const text = readFileSync(file, 'utf8')
  return { file, lines: splitLines(text), size: Buffer.byteLength(text) }
}

/**
 * Yields lines appended to the log after byte `offset` until the collector stops or `signal` aborts,
 * like `tail -f`: polls the file's size (portable, and a log file is small).
 */
export async function* followEmbeddedLog(
  goblinHome: string,
  offset: number,
  signal?: AbortSignal,
): AsyncGenerator<string> {
  const file = embeddedLogFile(goblinHome)
  let position = offset
  let partial = ''
  for (;;) {
    const size = existsSync(file) ? statSync(file).size : 0
    if (size > position) {
      const chunk = partial + readFrom(file, position)
      position = size
      const lines = chunk.split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) yield line
    }
    if (signal?.aborted || !readEmbeddedState(goblinHome)) {
      if (partial) yield partial
      return
    }
    await pause(200, signal)
  }
}

function upReport(state: EmbeddedState, reason: string, changed: boolean): StackUpReport {
  const service: ServiceStatus = {
    name: EMBEDDED_SERVICE,
    runtime: 'embedded',
    state: 'running',
    health: 'healthy',
    ports: [{ name: 'otlp-http', host: state.port, protocol: 'tcp' }],
    image: 'embedded',
    startedAt: state.startedAt,
    uptimeSeconds: uptimeSeconds(state.startedAt),
    pid: state.pid,
  }
  return {
    runtime: 'embedded',
    reason,
    changed,
    started: changed ? [EMBEDDED_SERVICE] : [],
    alreadyRunning: changed ? [] : [EMBEDDED_SERVICE],
    services: [service],
    urls: embeddedUrls(state.host, state.port),
  }
}

/** True when the collector answers `GET /health` with 200 and names itself goblin-collector. */
async function isCollectorHealthy(state: Pick<EmbeddedState, 'host' | 'port'>): Promise<boolean> {
  const answer = await probeHttp(healthUrl(state))
  if (answer?.status !== 200) return false
  try {
    const body = JSON.parse(answer.body) as { status?: string; service?: string }
    return body.status === 'ok' && body.service === 'goblin-collector'
  } catch {
    return false
  }
}

function healthUrl(state: Pick<EmbeddedState, 'host' | 'port'>): string {
  return `http://${displayHost(probeHost(state.host))}:${state.port}/health`
}

/** A wildcard bind address is reached through loopback. */
function probeHost(host: string): string {
  return host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host
}

function displayHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host
}

/** `listening on http://127.0.0.1:PORT`, as `goblin collector serve` prints it once bound. */
export function listeningPort(log: string): number | null {
  const match = /listening on https?:\/\/(?:\[[^\]]+\]|[^\s:/]+):(\d+)/.exec(log)
  return match?.[1] ? Number(match[1]) : null
}

/** SIGTERM, then SIGKILL after the grace period; says which ended it. */
async function stopProcess(pid: number): Promise<string> {
  const signalIt = (sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig)
    } catch {}
  }
  signalIt('SIGTERM')
  const deadline = Date.now() + STOP_GRACE_MS
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return 'SIGTERM'
    await pause(50)
  }
  signalIt('SIGKILL')
  for (let i = 0; i < 40 && isProcessAlive(pid); i++) await pause(50)
  return 'SIGKILL after SIGTERM went unanswered'
}

function readFrom(file: string, offset: number): string {
  try {
    const buffer = readFileSync(file)
    return buffer.subarray(Math.min(offset, buffer.length)).toString('utf8')
  } catch {
    return ''
  }
}

/** The last lines of a log written after `offset`, indented, for an error message. */
function logTail(file: string, offset: number): string {
  const lines = splitLines(readFrom(file, offset)).slice(-LOG_TAIL_LINES)
  return lines.length === 0 ? '' : `; its last log lines:\n${lines.map((l) => `  | ${l}`).join('\n')}`
}

function splitLines(text: string): string[] {
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  return lines
}

function appendLog(file: string, message: string): void {
  try {
    const fd = openSync(file, 'a')
    writeSync(fd, `${new Date().toISOString()} ${message}\n`)
    closeSync(fd)
  } catch {}
}
