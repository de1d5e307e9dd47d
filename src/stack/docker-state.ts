import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { homePaths } from '../core/paths.js'
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../core/private-state.js'
import { PUBLISH_HOST } from './default-ports.js'
import type { ServiceStatus } from './stack-report.js'

/**
 * What `goblin stack up` records when it brought the docker stack up, so that the commands that read
 * traces and send spans follow it (Tempo, the stack's OTLP port) without asking the engine each time;
 * `goblin stack down` removes it with the containers.
 */
export interface DockerStackState {
  /** Tempo's query API base URL, when the stack publishes Tempo. */
  tempo: string | null
  /** The OpenTelemetry Collector's OTLP/HTTP base URL. */
  otlpHttp: string | null
  startedAt: string
}

/** `GOBLIN_HOME/stack/docker.json`. */
export function dockerStateFile(goblinHome: string): string {
  return join(homePaths.stack(goblinHome), 'docker.json')
}

/** The URLs a docker stack's services publish, from their ports. */
export function dockerStateOf(services: ServiceStatus[], now = new Date()): DockerStackState {
  const url = (port: string) => {
    const host = services.flatMap((s) => s.ports).find((p) => p.name === port)?.host
    return host === undefined ? null : `http://${PUBLISH_HOST}:${host}`
  }
  return { tempo: url('tempo'), otlpHttp: url('otlp-http'), startedAt: now.toISOString() }
}

export function writeDockerState(goblinHome: string, state: DockerStackState): void {
  ensurePrivateDir(homePaths.stack(goblinHome))
  const file = dockerStateFile(goblinHome)
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: PRIVATE_FILE_MODE })
  renameSync(`${file}.tmp`, file)
}

/** The recorded docker stack, or null when `stack up` did not bring one up (or `stack down` removed it). */
export function readDockerState(goblinHome: string): DockerStackState | null {
  try {
    const state = JSON.parse(readFileSync(dockerStateFile(goblinHome), 'utf8')) as DockerStackState
    return typeof state.startedAt === 'string' ? state : null
  } catch {
    return null
  }
}

export function removeDockerState(goblinHome: string): void {
  rmSync(dockerStateFile(goblinHome), { force: true })
}
