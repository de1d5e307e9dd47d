import { GoblinError } from '../core/errors.js'

/**
 * The OpenTimestamps binary proof format (`.ots`), as python-opentimestamps writes it: a detached
 * timestamp file is the magic header, a major version, the file-hash op and the file digest, then one
 * timestamp tree. A tree node holds attestations and operations, each operation leading to a child node
 * whose message is the operation applied to the parent's message. Pure functions over bytes.
 */

/** `\x00OpenTimestamps\x00\x00Proof\x00` and 8 magic bytes: every `.ots` file starts with these 31 bytes. */
export const OTS_MAGIC = Uint8Array.from(
  Buffer.from('004f70656e54696d657374616d7073000050726f6f6600bf89e2e884e89294', 'hex'),
)
export const OTS_MAJOR_VERSION = 1

/** Limits of the reference implementation; a file beyond them is not a valid proof. */
const MAX_MSG_LENGTH = 4096
const MAX_PAYLOAD_LENGTH = 8192
const MAX_URI_LENGTH = 1000
const MAX_DEPTH = 256

export type UnaryOpName = 'sha1' | 'ripemd160' | 'sha256' | 'keccak256' | 'reverse' | 'hexlify'
export type BinaryOpName = 'append' | 'prepend'
export type Op = { op: UnaryOpName } | { op: BinaryOpName; arg: Uint8Array }

export const OP_TAGS: Record<Op['op'], number> = {
  sha1: 0x02,
  ripemd160: 0x03,
  sha256: 0x08,
  keccak256: 0x67,
  append: 0xf0,
  prepend: 0xf1,
  reverse: 0xf2,
  hexlify: 0xf3,
}
const OPS_BY_TAG = new Map(Object.entries(OP_TAGS).map(([name, tag]) => [tag, name as Op['op']]))

/** Digest length of each hash op that may serve as a file-hash op. */
export const DIGEST_LENGTHS: Partial<Record<UnaryOpName, number>> = {
  sha1: 20,
  ripemd160: 20,
  sha256: 32,
  keccak256: 32,
}

export const ATTESTATION_TAGS = {
  pending: '83dfe30d2ef90c8e',
  bitcoin: '0588960d73d71901',
  litecoin: '06869a0d73d71b45',
  ethereum: '30fe8087b5c7ead7',
} as const

export type Attestation =
  | { kind: 'pending'; uri: string }
  | { kind: 'bitcoin'; height: number }
  | { kind: 'litecoin'; height: number }
  | { kind: 'ethereum'; height: number }
  | { kind: 'unknown'; tag: string; payload: Uint8Array }

/** One node of the timestamp tree: what attests its message, and the operations that lead on. */
export interface TimestampNode {
  attestations: Attestation[]
  ops: { op: Op; next: TimestampNode }[]
}

export interface DetachedTimestamp {
  /** The hash op the file (here: the checkpoint root) was hashed with. */
  fileHashOp: UnaryOpName
  digest: Uint8Array
  timestamp: TimestampNode
}

/** A malformed or unsupported `.ots`: bad input, exit 2. `where` names the file for the message. */
export function otsError(message: string, where = '.ots'): GoblinError {
  return new GoblinError('OTS_MALFORMED', `${where}: ${message}`, {
    hint: 'The file is not a valid OpenTimestamps proof: re-fetch it (goblin audit anchor --ots --upgrade) or restore it from the bucket.',
  })
}

class Reader {
  offset = 0
  constructor(
    readonly bytes: Uint8Array,
    readonly where: string,
  ) {}

  byte(): number {
    const value = this.bytes[this.offset]
    if (value === undefined) throw otsError(`truncated at byte ${this.offset}`, this.where)
    this.offset++
    return value
  }

  take(n: number): Uint8Array {
    if (this.offset + n > this.bytes.length) throw otsError(`truncated at byte ${this.offset}`, this.where)
    const out = this.bytes.subarray(this.offset, this.offset + n)
    this.offset += n
    return out
  }

  varuint(): number {
    let value = 0
    let shift = 0
    for (;;) {
      const b = this.byte()
      value += (b & 0x7f) * 2 ** shift
      if ((b & 0x80) === 0) return value
      shift += 7
      if (shift > 49) throw otsError(`varuint too long at byte ${this.offset}`, this.where)
    }
  }

  varbytes(max: number, min = 0): Uint8Array {
    const at = this.offset
    const length = this.varuint()
    if (length > max || length < min) {
      throw otsError(`length ${length} at byte ${at} is outside ${min}..${max}`, this.where)
    }
    return this.take(length)
  }
}

class Writer {
  private chunks: Uint8Array[] = []
  bytes(b: Uint8Array | number[]): void {
    this.chunks.push(b instanceof Uint8Array ? b : Uint8Array.from(b))
  }
  varuint(n: number): void {
    const out: number[] = []
    let value = n
    do {
      let b = value % 128
      value = Math.floor(value / 128)
      if (value > 0) b |= 0x80
      out.push(b)
    } while (value > 0)
    this.bytes(out)
  }
  varbytes(b: Uint8Array): void {
    this.varuint(b.length)
    this.bytes(b)
  }
  result(): Uint8Array {
    return Uint8Array.from(Buffer.concat(this.chunks))
  }
}

/** Parses a whole `.ots` file. Throws an exit-2 `OTS_MALFORMED` error naming the byte offset. */
export function parseOts(bytes: Uint8Array, where = '.ots'): DetachedTimestamp {
  const r = new Reader(bytes, where)
  if (bytes.length < OTS_MAGIC.length || !Buffer.from(r.take(OTS_MAGIC.length)).equals(OTS_MAGIC)) {
    throw otsError('not an OpenTimestamps proof (bad magic header)', where)
  }
  const version = r.varuint()
  if (version !== OTS_MAJOR_VERSION) throw otsError(`unsupported major version ${version}`, where)
  const tag = r.byte()
  const fileHashOp = OPS_BY_TAG.get(tag)
  const digestLength = fileHashOp ? DIGEST_LENGTHS[fileHashOp as UnaryOpName] : undefined
  if (!fileHashOp || digestLength === undefined) {
    throw otsError(`unknown file-hash op 0x${tag.toString(16).padStart(2, '0')}`, where)
  }
  const digest = Uint8Array.from(r.take(digestLength))
  const timestamp = readNode(r, 0)
  if (r.offset !== bytes.length) throw otsError(`${bytes.length - r.offset} trailing bytes`, where)
  return { fileHashOp: fileHashOp as UnaryOpName, digest, timestamp }
}

/** Parses a bare timestamp tree, as a calendar serves it (no header, no digest). */
export function parseTimestamp(bytes: Uint8Array, where = 'calendar response'): TimestampNode {
  const r = new Reader(bytes, where)
  const node = readNode(r, 0)
  if (r.offset !== bytes.length) throw otsError(`${bytes.length - r.offset} trailing bytes`, where)
  return node
}

function readNode(r: Reader, depth: number): TimestampNode {
  if (depth > MAX_DEPTH) throw otsError('timestamp tree too deep', r.where)
  const node: TimestampNode = { attestations: [], ops: [] }
  const readEntry = (tag: number): void => {
    if (tag === 0x00) node.attestations.push(readAttestation(r))
    else node.ops.push({ op: readOp(r, tag), next: readNode(r, depth + 1) })
  }
  let tag = r.byte()
  while (tag === 0xff) {
    readEntry(r.byte())
    tag = r.byte()
  }
  readEntry(tag)
  return node
}

function readOp(r: Reader, tag: number): Op {
  const name = OPS_BY_TAG.get(tag)
  if (!name) {
    throw otsError(
      `unknown operation 0x${tag.toString(16).padStart(2, '0')} at byte ${r.offset - 1}`,
      r.where,
    )
  }
  if (name === 'append' || name === 'prepend') {
    return { op: name, arg: Uint8Array.from(r.varbytes(MAX_MSG_LENGTH, 1)) }
  }
  return { op: name }
}

function readAttestation(r: Reader): Attestation {
  const tag = Buffer.from(r.take(8)).toString('hex')
  const payload = r.varbytes(MAX_PAYLOAD_LENGTH)
  const inner = new Reader(payload, r.where)
  let attestation: Attestation
  switch (tag) {
    case ATTESTATION_TAGS.pending: {
      const uri = Buffer.from(inner.varbytes(MAX_URI_LENGTH)).toString('utf8')
      if (!/^[a-zA-Z0-9.\-_/:]+$/.test(uri))
        throw otsError(`invalid calendar URI ${JSON.stringify(uri)}`, r.where)
      attestation = { kind: 'pending', uri }
      break
    }
    case ATTESTATION_TAGS.bitcoin:
      attestation = { kind: 'bitcoin', height: inner.varuint() }
      break
    case ATTESTATION_TAGS.litecoin:
      attestation = { kind: 'litecoin', height: inner.varuint() }
      break
    case ATTESTATION_TAGS.ethereum:
      attestation = { kind: 'ethereum', height: inner.varuint() }
      break
    default:
      return { kind: 'unknown', tag, payload: Uint8Array.from(payload) }
  }
  if (inner.offset !== payload.length) throw otsError(`attestation ${tag} has trailing bytes`, r.where)
  return attestation
}

/** Serializes a whole `.ots` file; children and attestations in the reference client's order. */
export function serializeOts(file: DetachedTimestamp): Uint8Array {
  const w = new Writer()
  w.bytes(OTS_MAGIC)
  w.varuint(OTS_MAJOR_VERSION)
  w.bytes([OP_TAGS[file.fileHashOp]])
  w.bytes(file.digest)
  writeNode(w, file.timestamp)
  return w.result()
}

/** Serializes a bare timestamp tree (the calendar protocol's response body). */
export function serializeTimestamp(node: TimestampNode): Uint8Array {
  const w = new Writer()
  writeNode(w, node)
  return w.result()
}

function writeNode(w: Writer, node: TimestampNode): void {
  if (node.attestations.length === 0 && node.ops.length === 0) {
    throw new GoblinError('OTS_EMPTY_NODE', 'cannot serialize an empty timestamp node')
  }
  const attestations = [...node.attestations].sort(compareAttestations)
  const ops = [...node.ops].sort((a, b) => compareOps(a.op, b.op))
  const last = attestations.at(-1)
  for (const a of attestations.slice(0, -1)) {
    w.bytes([0xff, 0x00])
    writeAttestation(w, a)
  }
  if (ops.length === 0 && last) {
    w.bytes([0x00])
    writeAttestation(w, last)
    return
  }
  if (last) {
    w.bytes([0xff, 0x00])
    writeAttestation(w, last)
  }
  ops.forEach(({ op, next }, i) => {
    if (i < ops.length - 1) w.bytes([0xff])
    writeOp(w, op)
    writeNode(w, next)
  })
}

function writeOp(w: Writer, op: Op): void {
  w.bytes([OP_TAGS[op.op]])
  if ('arg' in op) w.varbytes(op.arg)
}

/** The bytes an attestation carries after its tag, and its tag. */
function attestationPayload(a: Attestation): { tag: string; payload: Uint8Array } {
  if (a.kind === 'unknown') return { tag: a.tag, payload: a.payload }
  const inner = new Writer()
  if (a.kind === 'pending') inner.varbytes(Buffer.from(a.uri, 'utf8'))
  else inner.varuint(a.height)
  return { tag: ATTESTATION_TAGS[a.kind], payload: inner.result() }
}

function writeAttestation(w: Writer, a: Attestation): void {
  const { tag, payload } = attestationPayload(a)
  w.bytes(Buffer.from(tag, 'hex'))
  w.varbytes(payload)
}

/** The reference client's order: by tag, then by height (numeric), URI or payload. */
function compareAttestations(a: Attestation, b: Attestation): number {
  const pa = attestationPayload(a)
  const pb = attestationPayload(b)
  if (pa.tag !== pb.tag) return pa.tag < pb.tag ? -1 : 1
  if ('height' in a && 'height' in b) return a.height - b.height
  if (a.kind === 'pending' && b.kind === 'pending') return a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0
  return Buffer.compare(pa.payload, pb.payload)
}

function compareOps(a: Op, b: Op): number {
  const ta = OP_TAGS[a.op]
  const tb = OP_TAGS[b.op]
  if (ta !== tb) return ta - tb
  return 'arg' in a && 'arg' in b ? Buffer.compare(a.arg, b.arg) : 0
}

/** True when two ops are the same operation with the same argument. */
export function sameOp(a: Op, b: Op): boolean {
  return compareOps(a, b) === 0
}
