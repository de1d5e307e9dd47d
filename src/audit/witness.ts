import { createHash, randomBytes } from 'node:crypto'
import { closeSync, existsSync, readFileSync, writeSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { join } from 'node:path'
import { usageError } from '../core/errors.js'
import { createExclusive, ensureSecretDir } from '../core/private-state.js'
import { parseCheckpoint } from './checkpoint.js'
import { cosign, cosignerFromSeed } from './cosignature.js'
import { writeFileDurably } from './durable-file.js'
import { acquireFileLock } from './file-lock.js'
import { type Listening, listen } from './listen.js'
import { EMPTY_ROOT, HASH_BYTES, verifyConsistency } from './merkle.js'
import {
  decodeBase64Strict,
  isValidKeyName,
  type NoteSigner,
  type NoteVerifier,
  openNote,
} from './signed-note.js'

/**
 * A C2SP tlog-witness (https://c2sp.org/tlog-witness): for each log it is given (a verifier key named as
 * the log's origin), it keeps the latest checkpoint it cosigned and cosigns a new one only when a
 * consistency proof shows it extends that one. The check and the new state are done under one lock and
 * the state is on disk (fsynced) before the cosignature is answered, so a witness killed at any point is
 * never behind a cosignature it gave. Its Ed25519 cosigner key (`cosignature/v1`, type 0x04) is made
 * under GOBLIN_HOME/witness on first start.
 */

const KEY_FILE = 'cosigner.key'
const MAX_BODY = 1024 * 1024
const MAX_PROOF_LINES = 63

/** Loads the witness's cosigner key, making it (named `name`) on first start; a different --name is refused. */
export function loadOrCreateCosigner(dir: string, name: string | undefined): NoteSigner {
  ensureSecretDir(dir, 'the witness directory')
  const path = join(dir, KEY_FILE)
  if (existsSync(path)) {
    const [storedName, seed] = readFileSync(path, 'utf8').trim().split(' ')
    const signer = cosignerFromSeed(storedName as string, Buffer.from(seed as string, 'base64'))
    if (name !== undefined && name !== signer.name)
      throw usageError(
        'WITNESS_NAME_MISMATCH',
        `this witness is named ${signer.name} (${path}), not ${name}`,
        'Drop --name, or give this witness another GOBLIN_HOME.',
      )
    return signer
  }
  const chosen = name ?? 'goblin-witness.localhost'
  if (!isValidKeyName(chosen))
    throw usageError(
      'WITNESS_BAD_NAME',
      `invalid witness name "${chosen}"`,
      'Use a schema-less URL like witness.example.com/w1.',
    )
  const seed = randomBytes(32)
  const fd = createExclusive(path)
  try {
    writeSync(fd, `${chosen} ${seed.toString('base64')}\n`)
  } finally {
    closeSync(fd)
  }
  return cosignerFromSeed(chosen, seed)
}

/** An add-checkpoint outcome: the HTTP status, its body and content type. */
export interface WitnessAnswer {
  status: number
  body: string
  contentType: string
}

const text = (status: number, body: string): WitnessAnswer => ({
  status,
  body: body.endsWith('\n') ? body : `${body}\n`,
  contentType: 'text/plain; charset=utf-8',
})

/** The witness's state and logic, apart from HTTP (tests drive it directly too). */
export class Witness {
  private readonly logs = new Map<string, NoteVerifier[]>()

  constructor(
    private readonly dir: string,
    readonly cosigner: NoteSigner,
    logKeys: NoteVerifier[],
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    for (const key of logKeys) this.logs.set(key.name, [...(this.logs.get(key.name) ?? []), key])
    ensureSecretDir(join(dir, 'logs'), 'the witness state directory')
  }

  /** The origins of the logs it witnesses. */
  origins(): string[] {
    return [...this.logs.keys()]
  }

  /** The latest checkpoint this witness cosigned for `origin` (with its cosignature), or null. */
  latest(origin: string): string | null {
    const path = this.statePath(origin)
    return existsSync(path) ? readFileSync(path, 'utf8') : null
  }

  /** POST /add-checkpoint, as the spec defines it. */
  async addCheckpoint(body: string): Promise<WitnessAnswer> {
    const blank = body.indexOf('\n\n')
    if (blank < 0) return text(400, 'expected: old size line, proof lines, a blank line, the checkpoint')
    const head = body.slice(0, blank).split('\n')
    const note = body.slice(blank + 2)
    const old = /^old (0|[1-9][0-9]*)$/.exec(head[0] ?? '')
    if (!old || !Number.isSafeInteger(Number(old[1]))) return text(400, 'the first line is not "old <size>"')
    const oldSize = Number(old[1])
    if (head.length - 1 > MAX_PROOF_LINES) return text(400, `more than ${MAX_PROOF_LINES} proof lines`)
    const proof: Buffer[] = []
    for (const line of head.slice(1)) {
      const hash = decodeBase64Strict(line)
      if (!hash || hash.length !== HASH_BYTES) return text(400, 'a proof line is not a base64 SHA-256 hash')
      proof.push(hash)
    }
    const origin = note.slice(0, note.indexOf('\n'))
    const keys = this.logs.get(origin)
    if (!keys) return text(404, `unknown log origin "${origin}"`)
    let opened: ReturnType<typeof openNote>
    try {
      opened = openNote(note, keys)
    } catch (error) {
      return text(400, (error as Error).message)
    }
    if (opened.failed.length > 0 || opened.verified.length === 0)
      return text(
        403,
        opened.failed.length > 0 ? 'a log signature does not verify' : 'no signature by a trusted log key',
      )
    let checkpoint: ReturnType<typeof parseCheckpoint>
    try {
      checkpoint = parseCheckpoint(opened.text)
    } catch (error) {
      return text(400, (error as Error).message)
    }
    if (oldSize > checkpoint.size)
      return text(400, `old size ${oldSize} is above the checkpoint size ${checkpoint.size}`)
    if (checkpoint.size === 0 && !checkpoint.root.equals(EMPTY_ROOT))
      return text(422, 'a checkpoint of size 0 must have the empty tree root')
    // Check against the stored state and replace it under one lock: two requests never both pass on the
    // same old size, and the new state is durable before the cosignature leaves.
    const lock = await acquireFileLock(join(this.dir, '.lock'))
    try {
      const stored = this.latest(origin)
      const known = stored ? parseCheckpoint(stored.slice(0, stored.indexOf('\n\n') + 1)) : null
      const knownSize = known?.size ?? 0
      if (oldSize !== knownSize)
        return { status: 409, body: `${knownSize}\n`, contentType: 'text/x.tlog.size' }
      if (oldSize === 0) {
        if (proof.length > 0) return text(422, 'a proof from size 0 must be empty')
      } else {
        const check = verifyConsistency(
          oldSize,
          checkpoint.size,
          proof,
          (known as { root: Buffer }).root,
          checkpoint.root,
        )
        if (!check.ok) return text(422, `the consistency proof does not verify: ${check.reason}`)
      }
      const line = cosign(opened.text, this.cosigner, this.now())
      writeFileDurably(this.statePath(origin), `${note}${line}`)
      return { status: 200, body: line, contentType: 'text/plain; charset=utf-8' }
    } finally {
      lock.release()
    }
  }

  private statePath(origin: string): string {
    return join(this.dir, 'logs', `${createHash('sha256').update(origin).digest('hex')}.note`)
  }
}

/** Serves `witness`: POST /add-checkpoint, and GET /<sha256(origin) hex>/checkpoint for monitors. */
export async function serveWitness(witness: Witness, host: string, port: number): Promise<Listening> {
  const server: Server = createServer((req, res) => {
    const answer = (a: WitnessAnswer) => {
      res.writeHead(a.status, { 'content-type': a.contentType })
      res.end(a.body)
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname
    if (req.method === 'POST' && path === '/add-checkpoint') {
      readBody(req)
        .then((body) => (body === null ? text(413, 'request body too large') : witness.addCheckpoint(body)))
        .then(answer, (error: Error) => answer(text(500, error.message)))
      return
    }
    const monitored = /^\/([0-9a-f]{64})\/checkpoint$/.exec(path)
    if (req.method === 'GET' && monitored) {
      const origin = witness
        .origins()
        .find((o) => createHash('sha256').update(o).digest('hex') === monitored[1])
      const note = origin ? witness.latest(origin) : null
      return answer(
        note
          ? { status: 200, body: note, contentType: 'text/plain; charset=utf-8' }
          : text(404, 'never cosigned'),
      )
    }
    answer(text(404, 'not found'))
  })
  return listen(server, host, port)
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) return null
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}
