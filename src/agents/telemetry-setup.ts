import { createHash } from 'node:crypto'
import { canonicalJson } from '../audit/canonical-json.js'
import { usageError } from '../core/errors.js'
import { LABEL_PATTERN, mergeResourceAttributes } from '../telemetry/resource-env.js'
import type { AgentId } from './agents.js'

/** Where an agent's telemetry goes, and what it is labelled with. */
export interface TelemetryTarget {
  /** The collector's OTLP/HTTP base URL (`http://127.0.0.1:4318`); signal paths are appended. */
  endpoint: string
  /** `goblin.id` / `task.id`, added to the agent's resource attributes. */
  goblin?: string
  task?: string
  /** Claude Code and Codex CLI: a PreToolUse hook command run before every tool call (`--policy`). */
  preToolUseHook?: string
}

/**
 * How to launch one agent with its telemetry at goblin, as data: variables to set and to clear in its
 * environment, and arguments to put before the user's. Nothing is written to the agent's own
 * configuration files: Claude Code and Gemini CLI read these variables over their settings files, and
 * Codex's `-c` overrides win over its `config.toml`.
 */
export interface AgentTelemetry {
  env: Record<string, string>
  /** Variables removed from the agent's environment, so they cannot send the telemetry elsewhere. */
  unset: string[]
  args: string[]
}

/**
 * The standard OTLP exporter variables a user may have set for another backend: per-signal endpoints and
 * protocols win over the base ones goblin sets, and headers may hold that backend's token, which is not
 * goblin's to forward.
 */
const FOREIGN_OTLP = ['LOGS', 'METRICS', 'TRACES'].flatMap((signal) => [
  `OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`,
  `OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`,
  `OTEL_EXPORTER_OTLP_${signal}_HEADERS`,
])

/** What `goblin agent run` changes in the agent's launch, given the environment it inherits. */
export function agentTelemetry(
  agent: AgentId,
  target: TelemetryTarget,
  inherited: NodeJS.ProcessEnv,
): AgentTelemetry {
  const resource = mergeResourceAttributes(inherited.OTEL_RESOURCE_ATTRIBUTES, {
    'goblin.id': target.goblin,
    'task.id': target.task,
  })
  const common: Record<string, string> = resource ? { OTEL_RESOURCE_ATTRIBUTES: resource } : {}
  const unset = [...FOREIGN_OTLP, 'OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_SDK_DISABLED']
  if (target.preToolUseHook && agent === 'gemini') {
    throw usageError(
      'AGENT_POLICY_UNSUPPORTED',
      '--policy is not available for gemini: Gemini CLI runs hooks only from your own settings.json, which goblin does not edit',
      'Add goblin policy hook gemini to hooks.BeforeTool in your settings.json (docs/policy.md), or drop --policy.',
    )
  }
  switch (agent) {
    case 'claude':
      return {
        env: {
          ...common,
          CLAUDE_CODE_ENABLE_TELEMETRY: '1',
          // Spans too (Claude Code's beta): in -p mode they continue TRACEPARENT, so the run is one trace.
          CLAUDE_CODE_ENHANCED_TELEMETRY_BETA: '1',
          OTEL_LOGS_EXPORTER: 'otlp',
          OTEL_METRICS_EXPORTER: 'otlp',
          OTEL_TRACES_EXPORTER: 'otlp',
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
          OTEL_EXPORTER_OTLP_ENDPOINT: target.endpoint,
        },
        unset,
        args: target.preToolUseHook ? ['--settings', claudeHookSettings(target.preToolUseHook)] : [],
      }
    case 'codex': {
      const overrides = [
        ...codexOverrides(target.endpoint),
        ...(target.preToolUseHook ? codexHookOverrides(target.preToolUseHook) : []),
      ]
      return { env: common, unset, args: overrides.flatMap((o) => ['-c', o]) }
    }
    case 'gemini':
      return {
        env: {
          ...common,
          GEMINI_TELEMETRY_ENABLED: 'true',
          GEMINI_TELEMETRY_TARGET: 'local',
          GEMINI_TELEMETRY_OTLP_ENDPOINT: target.endpoint,
          GEMINI_TELEMETRY_OTLP_PROTOCOL: 'http',
          GEMINI_TELEMETRY_TRACES_ENABLED: 'true',
          // A telemetry outfile (from the user's settings) would take the place of OTLP: an empty one wins.
          GEMINI_TELEMETRY_OUTFILE: '',
        },
        unset,
        args: [],
      }
  }
}

/** Codex's `[otel]` settings as `-c key=value` overrides (values are TOML). */
export function codexOverrides(endpoint: string): string[] {
  const exporter = (signal: string) =>
    `{otlp-http={endpoint=${JSON.stringify(`${endpoint}/v1/${signal}`)},protocol="binary"}}`
  return [
    `otel.exporter=${exporter('logs')}`,
    `otel.trace_exporter=${exporter('traces')}`,
    `otel.metrics_exporter=${exporter('metrics')}`,
  ]
}

/** The same settings as a `config.toml` section, for people who want them on for every Codex session. */
export function codexConfigToml(endpoint: string): string {
  const exporter = (signal: string) =>
    `{ otlp-http = { endpoint = ${JSON.stringify(`${endpoint}/v1/${signal}`)}, protocol = "binary" } }`
  return [
    '[otel]',
    `exporter = ${exporter('logs')}`,
    `trace_exporter = ${exporter('traces')}`,
    `metrics_exporter = ${exporter('metrics')}`,
    '',
  ].join('\n')
}

/**
 * Where Codex keys the trust state of the first hook of `-c` overrides (its "session flags" layer): Codex
 * runs a hook that is not managed by an administrator only once its `trusted_hash` is recorded under this
 * key. POSIX only: on Windows the synthetic path has a drive.
 */
const CODEX_SESSION_HOOK_KEY = '/<session-flags>/config.toml:pre_tool_use:0:0'
/** Codex's default hook timeout, stated so that the hook's identity (and its trust hash) is explicit. */
const CODEX_HOOK_TIMEOUT_S = 600

/**
 * Codex `-c` overrides that run `command` as a PreToolUse hook on every tool, and trust that one hook for
 * this session only: `trusted_hash` is Codex 0.171's hash of the hook's identity (the SHA-256 of the
 * key-sorted compact JSON of its event, matcher and normalised handler), so no other untrusted hook is let
 * run (which `--dangerously-bypass-hook-trust` would do). `features.hooks=true` in case the user's
 * config turned hooks off. Were the hash ever wrong, Codex would skip the hook silently: the end-to-end
 * test with the real Codex pins it (test/e2e/policy/codex-hook.test.ts).
 */
export function codexHookOverrides(command: string): string[] {
  const handler = { type: 'command', command, timeout: CODEX_HOOK_TIMEOUT_S }
  const identity = { event_name: 'pre_tool_use', matcher: '*', hooks: [{ ...handler, async: false }] }
  const trustedHash = `sha256:${createHash('sha256').update(canonicalJson(identity)).digest('hex')}`
  return [
    'features.hooks=true',
    `hooks.PreToolUse=[{matcher="*",hooks=[{type="command",command=${JSON.stringify(command)},timeout=${CODEX_HOOK_TIMEOUT_S}}]}]`,
    `hooks.state={${JSON.stringify(CODEX_SESSION_HOOK_KEY)}={trusted_hash=${JSON.stringify(trustedHash)}}}`,
  ]
}

/** Claude Code `--settings` JSON that runs `command` as a PreToolUse hook on every tool. */
export function claudeHookSettings(command: string): string {
  return JSON.stringify({ hooks: { PreToolUse: [{ matcher: '*', hooks: [{ type: 'command', command }] }] } })
}

/** `--goblin` / `--task` checked against `LABEL_PATTERN`: a usage error when the id cannot travel. */
export function checkLabel(flag: string, value: string | undefined): string | undefined {
  if (value === undefined || LABEL_PATTERN.test(value)) return value
  throw usageError(
    'AGENT_BAD_LABEL',
    `${flag} ${JSON.stringify(value)} is not a usable id: use 1 to 128 letters, digits and . _ : / @ + -`,
    `Write ${flag} like review-bot or task/1234.`,
  )
}
