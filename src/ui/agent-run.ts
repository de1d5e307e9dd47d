import { AGENTS } from '../agents/agents.js'
import type { InstalledAgent } from '../agents/installed.js'
import type { AgentRunResult } from '../agents/run-agent.js'
import { formatCount, formatUsd } from './format.js'

/** The one line `goblin agent run` ends with, on stderr. */
export function formatRunLine(result: AgentRunResult): string {
  const { usage } = result
  const exited = `goblin: ${AGENTS[result.agent].name} exited ${result.exitCode}`
  if (!usage)
    return [`${exited} · task ${result.task} · trace ${result.traceId}`, `goblin: note: ${result.note}`].join(
      '\n',
    )
  const parts = [
    exited,
    `${formatCount(usage.calls)} LLM call${usage.calls === 1 ? '' : 's'}`,
    `${formatCount(usage.inputTokens)} tokens in (${formatCount(usage.cachedInputTokens)} cached), ${formatCount(usage.outputTokens)} out`,
    [
      formatUsd(usage.usd),
      ...(usage.unknownModelCalls > 0 ? [`${usage.unknownModelCalls} unpriced (unknown model)`] : []),
      ...(usage.unmeteredCalls > 0 ? [`${usage.unmeteredCalls} unmetered`] : []),
    ].join(' + '),
    ...(usage.sessions.length > 0
      ? [`session${usage.sessions.length === 1 ? '' : 's'} ${usage.sessions.join(', ')}`]
      : []),
    `task ${result.task}`,
    `trace ${result.traceId}`,
  ]
  return [parts.join(' · '), ...usage.notes.map((n) => `goblin: note: ${n}`)].join('\n')
}

/** `goblin agent list` as plain lines: agent, version, where it was found. */
export function formatAgentList(agents: InstalledAgent[]): string {
  const width = Math.max(...agents.map((a) => a.name.length))
  return agents
    .map((a) =>
      a.path
        ? `${a.name.padEnd(width)}  ${(a.version ?? 'version unknown').padEnd(10)}  ${a.path} (${a.source})`
        : `${a.name.padEnd(width)}  not installed (npm install -g ${a.npmPackage})`,
    )
    .join('\n')
}
