import { usageError } from '../core/errors.js'

/** The coding agents goblin knows how to launch with their telemetry pointed at it. */
export const AGENT_IDS = ['claude', 'codex', 'gemini'] as const
export type AgentId = (typeof AGENT_IDS)[number]

export interface AgentInfo {
  id: AgentId
  /** The product's name, for people. */
  name: string
  /** The executable the npm package installs. */
  bin: string
  /** The npm package, for install hints. */
  npmPackage: string
}

export const AGENTS: Record<AgentId, AgentInfo> = {
  claude: {
    id: 'claude',
    name: 'Claude Code',
    bin: 'claude',
    npmPackage: '@anthropic-ai/claude-code',
  },
  codex: {
    id: 'codex',
    name: 'Codex CLI',
    bin: 'codex',
    npmPackage: '@openai/codex',
  },
  gemini: {
    id: 'gemini',
    name: 'Gemini CLI',
    bin: 'gemini',
    npmPackage: '@google/gemini-cli',
  },
}

/** The agent named by a command argument; anything else is bad input naming the agents there are. */
export function agentById(id: string): AgentInfo {
  if ((AGENT_IDS as readonly string[]).includes(id)) return AGENTS[id as AgentId]
  throw usageError(
    'AGENT_UNKNOWN',
    `"${id}" is not an agent goblin knows`,
    `Name one of ${AGENT_IDS.join(', ')} (goblin agent list shows which are installed).`,
  )
}
