import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { homePaths } from '../core/paths.js'

/** What the embedded runtime records about the background collector it started. */
export interface EmbeddedState {
  pid: number
  host: string
  port: number
  startedAt: string
  logFile: string
}

export function embeddedStateFile(goblinHome: string): string {
  return join(homePaths.stack(goblinHome), 'embedded.json')
}

/** The embedded collector's state when its process is alive, else null. */
export function readEmbeddedState(goblinHome: string): EmbeddedState | null {
  let state: EmbeddedState
  try {
    state = JSON.parse(readFileSync(embeddedStateFile(goblinHome), 'utf8')) as EmbeddedState
  } catch {
    return null
  }
  try {
    process.kill(state.pid, 0)
    return state
  } catch {
    return null
  }
}
