import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { join } from 'node:path'
import { execa, type ResultPromise } from 'execa'
import { loadOtlpTypes } from '../../../src/collector/otlp-schema.js'
import { GOBLIN_BIN, parseJson, REPO_ROOT, runGoblin, tempDir } from '../../helpers/cli.js'
import { closeServer, listenOnLoopback } from '../../helpers/loopback.js'
import type { FakeModelServer } from '../../support/fake-model-server.js'

/**
 * The pieces every LLM-library test puts together: a real `goblin collector serve` (the built CLI, its
 * store under a temporary GOBLIN_HOME), an OTLP recorder in front of it that keeps every export request a
 * library sends, a sender process that runs the real library against the fake model server, and goblin's
 * answer read back through the CLI's `--json`.
 */

export const SENDERS = join(REPO_ROOT, 'test/integration/llm/senders')
export const FIXTURES = join(REPO_ROOT, 'test/fixtures/llm')
/** The resource every sender reports, so tests can group by goblin and task. */
export const RESOURCE = { service: 'llm-library-test', goblin: 'fixture-goblin', task: 'fixture-task' }

export interface GoblinCollector {
  url: string
  home: string
  /** Stops the collector (SIGTERM, it drains) and removes its home unless it was given one. */
  stop(): Promise<void>
  /** Runs `goblin <args> --json` against this collector's home and parses the document. */
  json<T>(args: string[]): Promise<T>
}

/**
 * `goblin collector serve --port 0` in its own GOBLIN_HOME, resolved once it prints its address. Given a
 * `home`, it serves that one (a restart over the same store) and leaves it in place when stopped.
 */
export async function startGoblinCollector(existingHome?: string): Promise<GoblinCollector> {
  const home = existingHome ? { path: existingHome, cleanup: () => {} } : tempDir('goblin-llm-')
  const env = { GOBLIN_HOME: home.path }
  const child: ResultPromise = execa(process.execPath, [GOBLIN_BIN, 'collector', 'serve', '--port', '0'], {
    cwd: REPO_ROOT,
    env: { ...env, NO_COLOR: '1', CI: 'true' },
    reject: false,
  })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = /listening on (http:\/\/\S+)/.exec(out)
      if (match?.[1]) resolve(match[1])
    })
    child.once('exit', (code) => reject(new Error(`goblin collector serve exited ${code} before listening`)))
  })
  return {
    url,
    home: home.path,
    async stop() {
      child.kill('SIGTERM')
      await child
      home.cleanup()
    },
    async json<T>(args: string[]) {
      const run = await runGoblin([...args, '--json'], { env })
      if (run.exitCode !== 0)
        throw new Error(`goblin ${args.join(' ')} exited ${run.exitCode}: ${run.stderr}`)
      return parseJson<T>(run)
    },
  }
}

/** One OTLP/HTTP export request as the library sent it. */
export interface ExportRequest {
  path: string
  contentType: string
  body: Buffer
}

/**
 * An OTLP/HTTP endpoint that records each export request and forwards it unchanged to a collector,
 * answering with the collector's own response, so the library sees goblin's status codes.
 */
export class OtlpRecorder {
  url = ''
  readonly requests: ExportRequest[] = []
  private readonly server: Server

  constructor(private readonly target: string) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', async () => {
        const body = Buffer.concat(chunks)
        const contentType = String(req.headers['content-type'] ?? '')
        this.requests.push({ path: req.url ?? '/', contentType, body })
        const forwarded = await fetch(`${this.target}${req.url}`, {
          method: 'POST',
          headers: { 'content-type': contentType },
          body,
        })
        res.writeHead(forwarded.status, {
          'content-type': forwarded.headers.get('content-type') ?? 'text/plain',
        })
        res.end(Buffer.from(await forwarded.arrayBuffer()))
      })
    })
  }

  static async start(target: string): Promise<OtlpRecorder> {
    const recorder = new OtlpRecorder(target)
    recorder.url = await listenOnLoopback(recorder.server)
    return recorder
  }

  /** The trace export requests recorded, each as an OTLP JSON document (protobuf ones converted). */
  async traceExports(): Promise<OtlpTraces[]> {
    const exports: OtlpTraces[] = []
    for (const request of this.requests.filter((r) => r.path === '/v1/traces')) {
      exports.push(
        request.contentType.startsWith('application/json')
          ? (JSON.parse(request.body.toString('utf8')) as OtlpTraces)
          : await otlpJsonFromProtobuf(request.body),
      )
    }
    return exports
  }

  close(): Promise<void> {
    return closeServer(this.server)
  }
}

export interface OtlpTraces {
  resourceSpans: Array<{ resource?: unknown; scopeSpans: Array<{ scope?: unknown; spans: OtlpSpan[] }> }>
}

export interface OtlpSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  attributes?: Array<{ key: string; value: Record<string, unknown> }>
  [field: string]: unknown
}

/**
 * Runs a sender (`senders/<script>`) with one case, its telemetry pointed at `otlpUrl` and its model calls
 * at the fake server; returns what the library itself returned (the sender's JSON line).
 */
export async function runSender<T = unknown>(
  script: string,
  testCase: string,
  options: { otlpUrl: string; model: FakeModelServer; env?: Record<string, string> },
): Promise<T> {
  const run = await execa(process.execPath, [join(SENDERS, script), testCase], {
    cwd: REPO_ROOT,
    reject: false,
    timeout: 60_000,
    env: {
      FAKE_MODEL_URL: options.model.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: options.otlpUrl,
      OTEL_SERVICE_NAME: RESOURCE.service,
      OTEL_RESOURCE_ATTRIBUTES: `goblin.id=${RESOURCE.goblin},task.id=${RESOURCE.task}`,
      ...options.env,
    },
  })
  if (run.exitCode !== 0) throw new Error(`${script} ${testCase} exited ${run.exitCode}:\n${run.stderr}`)
  const lines = String(run.stdout).trim().split('\n')
  return JSON.parse(lines.at(-1) ?? 'null') as T
}

/**
 * An OTLP/HTTP protobuf trace export as the OTLP JSON encoding writes it (camelCase fields, hex ids, 64-bit
 * integers as strings), decoded with the collector's own schema, which declares every field of a span.
 */
async function otlpJsonFromProtobuf(body: Buffer): Promise<OtlpTraces> {
  const { traceRequest } = await loadOtlpTypes()
  const json = traceRequest.toObject(traceRequest.decode(body), { longs: String, bytes: String })
  const hexIds = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(hexIds)
    if (typeof value !== 'object' || value === null) return value
    return Object.fromEntries(
      Object.entries(value).map(([key, field]) => [
        key,
        ID_FIELDS.has(key) && typeof field === 'string'
          ? Buffer.from(field, 'base64').toString('hex')
          : hexIds(field),
      ]),
    )
  }
  return hexIds(json) as OtlpTraces
}

const ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId'])

/** All recorded export requests merged into one OTLP export request, as fixtures keep them. */
export function mergeExports(exports: OtlpTraces[]): OtlpTraces {
  return { resourceSpans: exports.flatMap((e) => e.resourceSpans) }
}

/**
 * With GOBLIN_WRITE_LLM_FIXTURES=1, saves what a library sent as `test/fixtures/llm/<name>.json`, the
 * name carrying the library and its version (`ai-7.0.173-otel-openai-chat`). Otherwise does nothing:
 * the tests run the live library every time; the fixtures are for the span reader's unit tests.
 */
export function maybeWriteFixture(name: string, exports: OtlpTraces[]): void {
  if (process.env.GOBLIN_WRITE_LLM_FIXTURES !== '1') return
  mkdirSync(FIXTURES, { recursive: true })
  writeFileSync(join(FIXTURES, `${name}.json`), `${JSON.stringify(mergeExports(exports), null, 2)}\n`)
}

/** The installed version of a package, for fixture names. */
export function versionOf(pkg: string): string {
  // Read from node_modules: what ran, not what package.json allows.
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', pkg, 'package.json'), 'utf8'))
  return (manifest as { version: string }).version
}

/** One recorded run of a library: what it returned, what it exported, which trace it was. */
export interface LibraryRun<T = unknown> {
  result: T
  exports: OtlpTraces[]
  /** The trace ids its spans carried (one per case for every library here). */
  traceIds: string[]
}

/** Runs a sender case with a fresh recorder in front of `collector`; optionally saves the fixture. */
export async function recordLibraryRun<T = unknown>(
  collector: GoblinCollector,
  model: FakeModelServer,
  sender: { script: string; testCase: string; env?: Record<string, string>; fixture: string },
): Promise<LibraryRun<T>> {
  const recorder = await OtlpRecorder.start(collector.url)
  try {
    const result = await runSender<T>(sender.script, sender.testCase, {
      otlpUrl: recorder.url,
      model,
      env: sender.env,
    })
    const exports = await recorder.traceExports()
    maybeWriteFixture(sender.fixture, exports)
    const traceIds = [...new Set(spansOf(exports).map((span) => span.traceId))]
    return { result, exports, traceIds }
  } finally {
    await recorder.close()
  }
}

/** Every span in the export requests. */
export function spansOf(exports: OtlpTraces[]): OtlpSpan[] {
  return exports.flatMap((e) => e.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)))
}

/** Tokens of one call as goblin should read them from a library's spans (cache and reasoning inside). */
export interface KnownTokens {
  /** Every prompt token, cache reads and writes included. */
  input: number
  cacheRead: number
  /** Cache writes the span reports; at the 5-minute rate unless it splits out the 1-hour ones. */
  cacheWrite5m: number
  cacheWrite1h: number
  /** Every generated token, reasoning included. */
  output: number
  /** Reasoning tokens the span reports (priced as output, already in `output`). */
  reasoning: number
}

/** A bundled price as `goblin cost prices show --json` answers it. */
export interface ShownPrice {
  model: string
  provider: string
  inputPerToken: number
  outputPerToken: number
  cachedInputPerToken?: number
  cacheCreationInputPerToken?: number
  cacheWrite1hPerToken?: number
}

/** The price goblin itself would use for `model`, read through the CLI. */
export async function priceOf(collector: GoblinCollector, model: string): Promise<ShownPrice> {
  return (await collector.json<{ price: ShownPrice }>(['cost', 'prices', 'show', model])).price
}

/**
 * The USD a call costs at `price`: uncached input at the input rate, cache reads and writes at theirs
 * (the input rate when the table has none), output (reasoning inside) at the output rate. The tests'
 * oracle, written out from the price's definition rather than calling goblin's pricing code.
 */
export function usdOf(price: ShownPrice, tokens: KnownTokens): number {
  const uncached = tokens.input - tokens.cacheRead - tokens.cacheWrite5m - tokens.cacheWrite1h
  const write5m = price.cacheCreationInputPerToken ?? price.inputPerToken
  return (
    uncached * price.inputPerToken +
    tokens.cacheRead * (price.cachedInputPerToken ?? price.inputPerToken) +
    tokens.cacheWrite5m * write5m +
    tokens.cacheWrite1h * (price.cacheWrite1hPerToken ?? write5m) +
    tokens.output * price.outputPerToken
  )
}

/** Tokens with the given kinds, the rest zero. */
export function tokens(known: Partial<KnownTokens> & { input: number; output: number }): KnownTokens {
  return { cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, reasoning: 0, ...known }
}
