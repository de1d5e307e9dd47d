import { constants } from 'node:fs'
import { access } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { findOnPath } from '../core/executables.js'
import { packageRoot } from '../stack/package-root.js'
import { AGENT_IDS, AGENTS, type AgentInfo } from './agents.js'

/** Where an agent's executable was found. */
export type AgentSource = 'PATH' | 'node_modules'

export interface AgentLocation {
  path: string
  source: AgentSource
}

export interface InstalledAgent {
  id: AgentInfo['id']
  name: string
  npmPackage: string
  /** Null when the agent is not installed. */
  path: string | null
  source: AgentSource | null
  /** What `<agent> --version` printed, reduced to the version number; null when not installed or it failed. */
  version: string | null
}

/**
 * The agent's executable: on PATH first (what the user runs by hand), else in a `node_modules/.bin` from
 * `cwd` upward (a project's own install), else in goblin's own `node_modules/.bin`.
 */
export async function locateAgent(
  agent: AgentInfo,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<AgentLocation | null> {
  const onPath = await findOnPath(agent.bin, env)
  if (onPath) return { path: onPath, source: 'PATH' }
  for (const dir of [...ancestors(cwd), packageRoot()]) {
    const candidate = join(dir, 'node_modules', '.bin', agent.bin)
    if (await isExecutable(candidate)) return { path: candidate, source: 'node_modules' }
  }
  return null
}

/** Every known agent, installed or not, with its version. */
export async function listAgents(env: NodeJS.ProcessEnv, cwd: string): Promise<InstalledAgent[]> {
  return Promise.all(
    AGENT_IDS.map(async (id) => {
      const agent = AGENTS[id]
      const location = await locateAgent(agent, env, cwd)
      return {
        id,
        name: agent.name,
        npmPackage: agent.npmPackage,
        path: location?.path ?? null,
        source: location?.source ?? null,
        version: location ? await agentVersion(location.path, env) : null,
      }
    }),
  )
}

const VERSION = /\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?/
const VERSION_TIMEOUT_MS = 20_000

/**
 * The version an agent reports: `claude --version` prints `2.1.332 (Claude Code)`, `codex --version`
 * `codex-cli 0.171.0`, `gemini --version` `0.61.0`; the first semantic version in its output is taken.
 */
async function agentVersion(path: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  const { execa } = await import('execa')
  const result = await execa(path, ['--version'], {
    env,
    reject: false,
    timeout: VERSION_TIMEOUT_MS,
    stdin: 'ignore',
  })
  if (result.exitCode !== 0) return null
  return VERSION.exec(String(result.stdout))?.[0] ?? null
}

function ancestors(dir: string): string[] {
  const out = [dir]
  for (let parent = dirname(dir); parent !== out.at(-1); parent = dirname(parent)) out.push(parent)
  return out
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}
