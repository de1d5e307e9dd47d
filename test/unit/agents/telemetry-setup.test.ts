import { describe, expect, it } from 'vitest'
import { agentEnv } from '../../../src/agents/agent-env.js'
import { AGENTS, agentById } from '../../../src/agents/agents.js'
import {
  agentTelemetry,
  checkLabel,
  claudeHookSettings,
  codexHookOverrides,
  codexOverrides,
} from '../../../src/agents/telemetry-setup.js'
import { mergeResourceAttributes } from '../../../src/telemetry/resource-env.js'

const ENDPOINT = 'http://127.0.0.1:4318'

describe('agentTelemetry', () => {
  it('points Claude Code at the collector by its variables: logs, metrics and (beta) traces over OTLP/HTTP', () => {
    const t = agentTelemetry('claude', { endpoint: ENDPOINT, goblin: 'bot', task: 't-1' }, {})
    expect(t.env).toEqual({
      OTEL_RESOURCE_ATTRIBUTES: 'goblin.id=bot,task.id=t-1',
      CLAUDE_CODE_ENABLE_TELEMETRY: '1',
      CLAUDE_CODE_ENHANCED_TELEMETRY_BETA: '1',
      OTEL_LOGS_EXPORTER: 'otlp',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT,
    })
    expect(t.args).toEqual([])
    // A per-signal endpoint or a vendor's headers from the user's shell would send data elsewhere.
    expect(t.unset).toEqual(
      expect.arrayContaining(['OTEL_EXPORTER_OTLP_LOGS_ENDPOINT', 'OTEL_EXPORTER_OTLP_HEADERS']),
    )
  })

  it('gives Codex -c overrides for its three exporters, before the user’s arguments', () => {
    const t = agentTelemetry('codex', { endpoint: ENDPOINT }, {})
    expect(t.args).toEqual([
      '-c',
      'otel.exporter={otlp-http={endpoint="http://127.0.0.1:4318/v1/logs",protocol="binary"}}',
      '-c',
      'otel.trace_exporter={otlp-http={endpoint="http://127.0.0.1:4318/v1/traces",protocol="binary"}}',
      '-c',
      'otel.metrics_exporter={otlp-http={endpoint="http://127.0.0.1:4318/v1/metrics",protocol="binary"}}',
    ])
    expect(t.env).toEqual({})
  })

  it('turns Gemini CLI’s telemetry on by its variables, an empty outfile winning over one in settings', () => {
    const t = agentTelemetry('gemini', { endpoint: ENDPOINT, task: 'x' }, {})
    expect(t.env).toMatchObject({
      OTEL_RESOURCE_ATTRIBUTES: 'task.id=x',
      GEMINI_TELEMETRY_ENABLED: 'true',
      GEMINI_TELEMETRY_TARGET: 'local',
      GEMINI_TELEMETRY_OTLP_ENDPOINT: ENDPOINT,
      GEMINI_TELEMETRY_OTLP_PROTOCOL: 'http',
      GEMINI_TELEMETRY_TRACES_ENABLED: 'true',
      GEMINI_TELEMETRY_OUTFILE: '',
    })
  })

  it('adds the policy hook to Claude Code by --settings, to Codex by -c, and refuses it for Gemini CLI', () => {
    const t = agentTelemetry(
      'claude',
      { endpoint: ENDPOINT, preToolUseHook: "'goblin' policy hook claude" },
      {},
    )
    expect(t.args[0]).toBe('--settings')
    expect(JSON.parse(t.args[1] as string)).toEqual({
      hooks: {
        PreToolUse: [{ matcher: '*', hooks: [{ type: 'command', command: "'goblin' policy hook claude" }] }],
      },
    })
    const codex = agentTelemetry(
      'codex',
      { endpoint: ENDPOINT, preToolUseHook: "'goblin' policy hook codex" },
      {},
    )
    // After the three telemetry overrides: the hook's, each its own -c.
    expect(codex.args.slice(6)).toEqual(
      codexHookOverrides("'goblin' policy hook codex").flatMap((o) => ['-c', o]),
    )
    expect(() => agentTelemetry('gemini', { endpoint: ENDPOINT, preToolUseHook: 'x' }, {})).toThrow(
      expect.objectContaining({ code: 'AGENT_POLICY_UNSUPPORTED', exit: 2 }),
    )
  })
})

describe('codexHookOverrides', () => {
  it('gives Codex the hook as TOML and trusts exactly that hook, by its hash, for the session', () => {
    const [features, hook, state] = codexHookOverrides(`'/opt/node' '/opt/go"blin\\bin' policy hook codex`)
    expect(features).toBe('features.hooks=true')
    // TOML basic strings take JSON's escapes for " and \.
    expect(hook).toBe(
      'hooks.PreToolUse=[{matcher="*",hooks=[{type="command",command="\'/opt/node\' \'/opt/go\\"blin\\\\bin\' policy hook codex",timeout=600}]}]',
    )
    expect(state).toMatch(
      /^hooks\.state=\{"\/<session-flags>\/config\.toml:pre_tool_use:0:0"=\{trusted_hash="sha256:[0-9a-f]{64}"\}\}$/,
    )
    // The hash is the hook's identity: another command is another hash (so no other hook rides on it).
    expect(codexHookOverrides('other')[2]).not.toBe(codexHookOverrides('another')[2])
  })
})

describe('mergeResourceAttributes', () => {
  it('keeps the user’s attributes and replaces the labels goblin sets', () => {
    expect(
      mergeResourceAttributes('team=core, goblin.id=old ,deployment.environment=dev', { 'goblin.id': 'new' }),
    ).toBe('team=core,deployment.environment=dev,goblin.id=new')
    expect(mergeResourceAttributes(undefined, { 'goblin.id': undefined })).toBeUndefined()
    expect(mergeResourceAttributes('a=1', {})).toBe('a=1')
  })
})

describe('labels and names from the command line', () => {
  it('accepts ids every SDK carries unchanged and refuses the rest with the flag named', () => {
    expect(checkLabel('--goblin', 'review-bot')).toBe('review-bot')
    expect(checkLabel('--task', 'jira/ABC-12@v2')).toBe('jira/ABC-12@v2')
    expect(checkLabel('--task', undefined)).toBeUndefined()
    for (const bad of ['', 'a,b', 'a=b', 'has space', 'x'.repeat(129), 'é']) {
      expect(() => checkLabel('--task', bad)).toThrow(
        expect.objectContaining({ code: 'AGENT_BAD_LABEL', exit: 2 }),
      )
    }
  })

  it('knows three agents and names them when given another', () => {
    expect(agentById('codex')).toBe(AGENTS.codex)
    expect(() => agentById('cursor')).toThrow(/"cursor" is not an agent goblin knows/)
  })
})

describe('agentEnv (goblin agent env)', () => {
  it('prints export lines, quoting what the shell would split, and unsets only what is set', () => {
    const out = agentEnv(AGENTS.claude, {
      endpoint: ENDPOINT,
      goblin: 'me',
      env: { OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=secret' },
    })
    expect(out.text.split('\n')[0]).toBe('unset OTEL_EXPORTER_OTLP_HEADERS')
    expect(out.text).toContain('export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318\n')
    expect(out.text).toContain('export OTEL_RESOURCE_ATTRIBUTES=goblin.id=me\n')
    expect(out.text).not.toContain('secret')
    const gemini = agentEnv(AGENTS.gemini, { endpoint: ENDPOINT, env: {} })
    expect(gemini.text).toContain("export GEMINI_TELEMETRY_OUTFILE=''\n")
  })

  it('gives Codex the [otel] section of config.toml, the same settings as the overrides', () => {
    const out = agentEnv(AGENTS.codex, { endpoint: ENDPOINT, env: {} })
    expect(out.configToml).toBe(
      [
        '[otel]',
        'exporter = { otlp-http = { endpoint = "http://127.0.0.1:4318/v1/logs", protocol = "binary" } }',
        'trace_exporter = { otlp-http = { endpoint = "http://127.0.0.1:4318/v1/traces", protocol = "binary" } }',
        'metrics_exporter = { otlp-http = { endpoint = "http://127.0.0.1:4318/v1/metrics", protocol = "binary" } }',
        '',
      ].join('\n'),
    )
    expect(out.args).toEqual(codexOverrides(ENDPOINT).flatMap((o) => ['-c', o]))
  })

  it('writes hook settings Claude Code can read back as JSON whatever the command holds', () => {
    const command = `'/opt/node' '/it'"'"'s/bin/run.js' policy hook claude`
    expect(JSON.parse(claudeHookSettings(command)).hooks.PreToolUse[0].hooks[0].command).toBe(command)
  })
})
