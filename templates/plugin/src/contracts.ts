import type { Interfaces } from '@oclif/core'

/**
 * goblin's hook contracts, version 1, as this plugin sees them. goblin validates every answer and skips
 * (and reports in `goblin doctor`) an answer that breaks the contract or carries an `apiVersion` it does
 * not know, so keep `apiVersion: API_VERSION` in each answer.
 */
export const API_VERSION = 1

/** One check in `goblin doctor`. `id` is lowercase letters, digits, `:` and `-`; prefix it with your topic. */
export interface DoctorCheck {
  id: string
  title: string
  status: 'ok' | 'warn' | 'fail' | 'skip'
  /** What was found, in one line. */
  detail: string
  /** What to do about a warn or fail. */
  fix?: string
}

/** A service added to goblin's stack plan (`goblin stack config`, `goblin stack up`). */
export interface StackService {
  /** Lowercase letters, digits and `-`, starting with a letter. */
  name: string
  image: string
  ports?: Array<{ container: number; host: number; protocol?: 'tcp' | 'udp' }>
  env?: Record<string, string>
  command?: string[]
  dependsOn?: string[]
  healthcheck?: { http?: string; command?: string[]; timeoutSeconds?: number }
}

/** A model price in USD per token; it overrides goblin's bundled and imported prices for that model. */
export interface ModelPrice {
  model: string
  provider: string
  inputPerToken: number
  outputPerToken: number
  cachedInputPerToken?: number
  cacheCreationInputPerToken?: number
}

/** An audit entry goblin has just durably appended to its log. */
export interface AuditEntry {
  seq: number
  leafHash: string
  envelope: Record<string, unknown>
}

/** The goblin hooks, typed for oclif's `Hook<'goblin:…', GoblinHooks>`. */
export interface GoblinHooks extends Interfaces.Hooks {
  'goblin:doctor-checks': {
    options: { env: NodeJS.ProcessEnv }
    return: { apiVersion: typeof API_VERSION; checks: DoctorCheck[] }
  }
  'goblin:stack-services': {
    options: { stage?: string }
    return: { apiVersion: typeof API_VERSION; services: StackService[] }
  }
  'goblin:cost-prices': {
    options: Record<string, never>
    return: { apiVersion: typeof API_VERSION; source: string; prices: ModelPrice[] }
  }
  'goblin:audit-event': {
    options: { entries: AuditEntry[] }
    return: undefined
  }
}
