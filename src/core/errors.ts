import { redactSecrets } from './redact.js'

/** Process exit codes shared by every goblin command (see ARCHITECTURE.md, "Conventions"). */
export const ExitCode = {
  ok: 0,
  /** The thing checked is not OK: verification failed, budget exceeded, a doctor check failed. */
  notOk: 1,
  /** Usage or bad input: unknown flag, malformed file, unknown key. */
  usage: 2,
  /** A dependency is unreachable: no Docker engine, collector down, RPC or S3 endpoint unreachable. */
  unreachable: 3,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

/**
 * Every error code goblin reports, each with the exit code it ends the process with: the closed, documented
 * set (docs/cli.md). A new failure adds its code here, so `--json` consumers can rely on the list.
 */
export const ERROR_CODES = {
  // exit 2: usage or bad input
  AGENT_BAD_LABEL: ExitCode.usage,
  AGENT_NOT_INSTALLED: ExitCode.usage,
  AGENT_POLICY_UNSUPPORTED: ExitCode.usage,
  AGENT_START_FAILED: ExitCode.usage,
  AGENT_UNKNOWN: ExitCode.usage,
  ANCHOR_NO_CHECKPOINT: ExitCode.usage,
  ANCHOR_NO_ETH_RPC: ExitCode.usage,
  ANCHOR_RECEIPT_MALFORMED: ExitCode.usage,
  ANCHOR_RECEIPT_MISMATCH: ExitCode.usage,
  AUDIT_BAD_ATTR: ExitCode.usage,
  AUDIT_BAD_CHECKPOINT: ExitCode.usage,
  AUDIT_BAD_ENDPOINT: ExitCode.usage,
  AUDIT_BAD_EVENT: ExitCode.usage,
  AUDIT_BAD_HEADER: ExitCode.usage,
  AUDIT_BAD_INDEX: ExitCode.usage,
  AUDIT_BAD_KEYRING: ExitCode.usage,
  AUDIT_BAD_KEY_NAME: ExitCode.usage,
  AUDIT_BAD_NOTE: ExitCode.usage,
  AUDIT_BAD_NOTE_TEXT: ExitCode.usage,
  AUDIT_BAD_OPTION: ExitCode.usage,
  AUDIT_BAD_ORIGIN: ExitCode.usage,
  AUDIT_BAD_SIZE: ExitCode.usage,
  AUDIT_BAD_SKEY: ExitCode.usage,
  AUDIT_BAD_TIME: ExitCode.usage,
  AUDIT_BAD_VKEY: ExitCode.usage,
  AUDIT_INEXACT_NUMBER: ExitCode.usage,
  AUDIT_INPUT_SPOOL: ExitCode.usage,
  AUDIT_INPUT_TOO_LARGE: ExitCode.usage,
  AUDIT_KEY_AMBIGUOUS: ExitCode.usage,
  AUDIT_KEY_EXISTS: ExitCode.usage,
  AUDIT_KEY_MISMATCH: ExitCode.usage,
  AUDIT_KEY_NOT_ACTIVE: ExitCode.usage,
  AUDIT_KEY_UNREADABLE: ExitCode.usage,
  AUDIT_NOT_UTF8: ExitCode.usage,
  AUDIT_NO_EVENTS: ExitCode.usage,
  AUDIT_NO_INPUT: ExitCode.usage,
  AUDIT_NO_KEY: ExitCode.usage,
  AUDIT_NO_KEYRING: ExitCode.usage,
  AUDIT_BAD_SEQ: ExitCode.usage,
  AUDIT_NO_LEDGER: ExitCode.usage,
  AUDIT_NO_NOTE: ExitCode.usage,
  AUDIT_NO_PRIVATE_KEY: ExitCode.usage,
  AUDIT_NO_SINCE_CHECKPOINT: ExitCode.usage,
  AUDIT_ENTRY_TOO_LARGE: ExitCode.usage,
  AUDIT_INDEX_NEEDS_TILES: ExitCode.usage,
  AUDIT_BAD_POLICY: ExitCode.usage,
  AUDIT_NO_POLICY: ExitCode.usage,
  AUDIT_BAD_PROOF: ExitCode.usage,
  AUDIT_NO_PROOF: ExitCode.usage,
  AUDIT_NO_TILES: ExitCode.usage,
  WITNESS_BAD_NAME: ExitCode.usage,
  WITNESS_NAME_MISMATCH: ExitCode.usage,
  WITNESS_NO_LOG: ExitCode.usage,
  TLOG_NO_CHECKPOINT: ExitCode.usage,
  AUDIT_PRIVATE_KEY_GIVEN: ExitCode.usage,
  AUDIT_PROVE_WHAT: ExitCode.usage,
  AUDIT_UNKNOWN_KEY: ExitCode.usage,
  BAD_ATTR: ExitCode.usage,
  BAD_DURATION: ExitCode.usage,
  BAD_ENDPOINT: ExitCode.usage,
  BAD_METRIC_QUERY: ExitCode.usage,
  BAD_SEARCH: ExitCode.usage,
  BAD_TIME: ExitCode.usage,
  BAD_TRACE_ID: ExitCode.usage,
  SPAN_ID_AMBIGUOUS: ExitCode.usage,
  TRACE_ID_AMBIGUOUS: ExitCode.usage,
  BAD_URL: ExitCode.usage,
  BITCOIN_AUTH: ExitCode.usage,
  BITCOIN_HEADERS_INVALID: ExitCode.usage,
  BITCOIN_HEADERS_UNREADABLE: ExitCode.usage,
  BITCOIN_HEADER_INVALID: ExitCode.usage,
  BITCOIN_SOURCE_INVALID: ExitCode.usage,
  CONFIG_INVALID: ExitCode.usage,
  CONFIG_MALFORMED: ExitCode.usage,
  COST_BACKEND_KEY: ExitCode.usage,
  COST_BAD_GROUP: ExitCode.usage,
  COST_BAD_RANGE: ExitCode.usage,
  COST_BAD_TOKENS: ExitCode.usage,
  COST_UNKNOWN_MODEL: ExitCode.usage,
  DOCKER_HOST_INVALID: ExitCode.usage,
  DOCTOR_UNKNOWN_CHECK: ExitCode.usage,
  DURATION_OUT_OF_RANGE: ExitCode.usage,
  ETH_CHAIN_MISMATCH: ExitCode.usage,
  ETH_INSUFFICIENT_FUNDS: ExitCode.usage,
  ETH_KEY_INVALID: ExitCode.usage,
  ETH_KEY_MISSING: ExitCode.usage,
  ETH_KEY_MODE: ExitCode.usage,
  FS_IS_DIRECTORY: ExitCode.usage,
  FS_NOT_DIRECTORY: ExitCode.usage,
  FS_PERMISSION: ExitCode.usage,
  FS_READ_ONLY: ExitCode.usage,
  FS_SYMLINK: ExitCode.usage,
  JSON_NOT_CANONICALIZABLE: ExitCode.usage,
  LOGS_FOLLOW_JSON: ExitCode.usage,
  NO_COMMAND: ExitCode.usage,
  OTLP_UNDECODABLE: ExitCode.usage,
  OTS_MALFORMED: ExitCode.usage,
  PLUGIN_DIR_NOT_EMPTY: ExitCode.usage,
  PLUGIN_NAME_INVALID: ExitCode.usage,
  PLUGIN_NAME_TAKEN: ExitCode.usage,
  PLUGINS_FAILED: ExitCode.usage,
  POLICY_BAD_CONTEXT: ExitCode.usage,
  POLICY_BAD_ENTITY: ExitCode.usage,
  POLICY_BAD_HOOK_INPUT: ExitCode.usage,
  POLICY_BAD_REQUEST: ExitCode.usage,
  POLICY_BAD_TESTS: ExitCode.usage,
  POLICY_FILES_MISSING: ExitCode.usage,
  POLICY_INVALID: ExitCode.usage,
  POLICY_NO_TESTS: ExitCode.usage,
  PRICES_EMPTY: ExitCode.usage,
  PRICES_MALFORMED: ExitCode.usage,
  PRICES_TOO_LARGE: ExitCode.usage,
  PRICES_UNKNOWN_FORMAT: ExitCode.usage,
  PRICES_UNREADABLE: ExitCode.usage,
  S3_ACCESS: ExitCode.usage,
  S3_NOTHING_SEALED: ExitCode.usage,
  S3_NO_BUCKET: ExitCode.usage,
  S3_NO_BUCKET_GIVEN: ExitCode.usage,
  S3_NO_CREDENTIALS: ExitCode.usage,
  S3_NO_OBJECT_LOCK: ExitCode.usage,
  S3_URL_INVALID: ExitCode.usage,
  SETTINGS_INVALID: ExitCode.usage,
  SETTINGS_MALFORMED: ExitCode.usage,
  SETTINGS_UNKNOWN_KEY: ExitCode.usage,
  STACK_DEPENDENCY_CYCLE: ExitCode.usage,
  STACK_IMAGE_FLAG: ExitCode.usage,
  STACK_IMAGE_MISSING: ExitCode.usage,
  STACK_PORT_TWICE: ExitCode.usage,
  STACK_UNKNOWN_PORT: ExitCode.usage,
  STACK_UNKNOWN_SERVICE: ExitCode.usage,
  UNKNOWN_COMMAND: ExitCode.usage,
  UNSAFE_SECRET_DIR: ExitCode.usage,
  UNSAFE_SECRET_FILE: ExitCode.usage,
  URL_WITH_CREDENTIALS: ExitCode.usage,
  USAGE: ExitCode.usage,
  // exit 1: the thing checked is not OK, or goblin failed (INTERNAL)
  ANCHOR_CHECKPOINT_UNVERIFIED: ExitCode.notOk,
  AUDIT_ENTRY_OVERSIZE: ExitCode.notOk,
  TLOG_BAD_BUNDLE: ExitCode.notOk,
  TLOG_BAD_TILE: ExitCode.notOk,
  TLOG_MISSING_TILE: ExitCode.notOk,
  AUDIT_CHECKPOINT_MISMATCH: ExitCode.notOk,
  AUDIT_ENTRY_NOT_FOUND: ExitCode.notOk,
  AUDIT_ENVELOPE_REFUSED: ExitCode.notOk,
  AUDIT_LAST_ENTRY_UNREADABLE: ExitCode.notOk,
  AUDIT_LOCKED: ExitCode.notOk,
  AUDIT_TORN_LINE: ExitCode.notOk,
  BITCOIN_HEADER_MISMATCH: ExitCode.notOk,
  BITCOIN_HEADER_MISSING: ExitCode.notOk,
  BITCOIN_RPC_ERROR: ExitCode.notOk,
  BITCOIN_SOURCE_ERROR: ExitCode.notOk,
  DOCKER_API: ExitCode.notOk,
  ETH_ERROR: ExitCode.notOk,
  ETH_TX_FAILED: ExitCode.notOk,
  HELM_FAILED: ExitCode.notOk,
  INTERNAL: ExitCode.notOk,
  METRIC_NOT_FOUND: ExitCode.notOk,
  OTS_EMPTY_NODE: ExitCode.notOk,
  PLUGIN_COMMAND_FAILED: ExitCode.notOk,
  PLUGIN_TEMPLATE_MISSING: ExitCode.notOk,
  POLICY_INTERNAL: ExitCode.notOk,
  PRICES_NOT_BUILT: ExitCode.notOk,
  S3_CONFLICT: ExitCode.notOk,
  S3_ERROR: ExitCode.notOk,
  S3_LOG_GAP: ExitCode.notOk,
  SPAN_STORE_MISSING: ExitCode.notOk,
  SPAN_STORE_OPEN: ExitCode.notOk,
  SPAN_STORE_VERSION: ExitCode.notOk,
  STACK_BUSY: ExitCode.notOk,
  STACK_EMBEDDED_EXITED: ExitCode.notOk,
  STACK_EMBEDDED_SPAWN: ExitCode.notOk,
  STACK_EMBEDDED_UNHEALTHY: ExitCode.notOk,
  STACK_LOCK: ExitCode.notOk,
  STACK_NO_LOGS: ExitCode.notOk,
  STACK_PORT_TAKEN: ExitCode.notOk,
  STACK_SERVICE_EXITED: ExitCode.notOk,
  STACK_UNHEALTHY: ExitCode.notOk,
  STACK_UP_INTERRUPTED: ExitCode.notOk,
  SPAN_NOT_FOUND: ExitCode.notOk,
  TRACE_NOT_FOUND: ExitCode.notOk,
  // exit 3: a dependency is unreachable
  AGENT_COLLECTOR_DOWN: ExitCode.unreachable,
  AGENT_COLLECTOR_REFUSED: ExitCode.unreachable,
  AUDIT_COLLECTOR_UNAVAILABLE: ExitCode.unreachable,
  AUDIT_SERVE_LISTEN: ExitCode.unreachable,
  TLOG_HTTP: ExitCode.unreachable,
  TLOG_UNREACHABLE: ExitCode.unreachable,
  BACKEND_BAD_ANSWER: ExitCode.unreachable,
  BACKEND_ERROR: ExitCode.unreachable,
  BITCOIN_SOURCE_UNREACHABLE: ExitCode.unreachable,
  CLUSTER_UNREACHABLE: ExitCode.unreachable,
  COLLECTOR_LISTEN: ExitCode.unreachable,
  COLLECTOR_UNREACHABLE: ExitCode.unreachable,
  DOCKER_BAD_ANSWER: ExitCode.unreachable,
  DOCKER_UNREACHABLE: ExitCode.unreachable,
  ETH_RPC_UNREACHABLE: ExitCode.unreachable,
  HELM_MISSING: ExitCode.unreachable,
  KUBECTL_MISSING: ExitCode.unreachable,
  OTS_CALENDAR_REFUSED: ExitCode.unreachable,
  OTS_CALENDAR_UNREACHABLE: ExitCode.unreachable,
  OTS_NO_CALENDAR: ExitCode.unreachable,
  PRICES_UNREACHABLE: ExitCode.unreachable,
  PROMETHEUS_QUERY_FAILED: ExitCode.unreachable,
  PROMETHEUS_UNREACHABLE: ExitCode.unreachable,
  S3_UNREACHABLE: ExitCode.unreachable,
  STACK_REGISTRY_UNREACHABLE: ExitCode.unreachable,
  TRACE_BACKEND_UNREACHABLE: ExitCode.unreachable,
} as const satisfies Record<string, ExitCodeValue>

export type ErrorCode = keyof typeof ERROR_CODES

export interface GoblinErrorOptions {
  /** What the user should do next, in one sentence. */
  hint?: string
  /**
   * Only for the few codes whose exit depends on the answer received (BACKEND_ERROR: a refused query is bad
   * input, a failing server unreachable); every other error takes its code's exit from ERROR_CODES.
   */
  exit?: ExitCodeValue
  cause?: unknown
}

/**
 * The one error type `src/` throws. `code` is a stable machine-readable identifier
 * (e.g. `CONFIG_INVALID`), `message` says what went wrong in the user's terms and where.
 */
export class GoblinError extends Error {
  readonly code: ErrorCode
  readonly hint?: string
  readonly exit: ExitCodeValue

  constructor(code: ErrorCode, message: string, options: GoblinErrorOptions = {}) {
    // Messages and hints quote what the user gave (a flag value, a URL): the one place every echo passes
    // is here, so a private key or a URL's credentials never reach the terminal, a log or --json.
    super(redactSecrets(message), options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'GoblinError'
    this.code = code
    this.hint = options.hint === undefined ? undefined : redactSecrets(options.hint)
    this.exit = options.exit ?? ERROR_CODES[code]
  }

  /** The stable JSON form used by `--json` output (`hint` null when there is none). Never holds a secret. */
  toJSON(): { code: ErrorCode; message: string; hint: string | null; exit: number } {
    return { code: this.code, message: this.message, hint: this.hint ?? null, exit: this.exit }
  }
}

/** Codes of one exit: `usageError` takes only exit-2 codes, and so on, so a helper cannot contradict the table. */
type CodeOf<Exit extends ExitCodeValue> = {
  [C in ErrorCode]: (typeof ERROR_CODES)[C] extends Exit ? C : never
}[ErrorCode]

/** A bad-input error (exit 2). */
export function usageError(code: CodeOf<2>, message: string, hint?: string, cause?: unknown): GoblinError {
  return new GoblinError(code, message, { hint, cause })
}

/** The thing checked is not OK (exit 1). */
export function notOk(code: CodeOf<1>, message: string, hint?: string, cause?: unknown): GoblinError {
  return new GoblinError(code, message, { hint, cause })
}

/** A dependency-unreachable error (exit 3). */
export function unreachableError(
  code: CodeOf<3>,
  message: string,
  hint?: string,
  cause?: unknown,
): GoblinError {
  return new GoblinError(code, message, { hint, cause })
}

export function isGoblinError(error: unknown): error is GoblinError {
  return error instanceof GoblinError
}
