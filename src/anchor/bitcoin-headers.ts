import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { ExitCode, GoblinError, unreachableError, usageError } from '../core/errors.js'

/**
 * Bitcoin block headers by height, from the source the operator trusts: a Bitcoin Core node's JSON-RPC
 * (`getblockhash`, `getblockheader`), an Esplora-style explorer (`/block-height/N`, `/block/HASH/header`),
 * or a file of headers for offline checks (one `HEIGHT HEX` a line, `#` comments).
 */

export interface BlockHeader {
  height: number
  /** Block hash in display order (the hex explorers show). */
  hash: string
  /** Merkle root in internal byte order: what an OpenTimestamps Bitcoin attestation commits to. */
  merkleRoot: Uint8Array
  /** Block time, seconds since the epoch. */
  time: number
}

export interface BlockHeaderSource {
  /** Names the source in messages (`rpc http://…`, `esplora https://…`, `file headers.txt`). */
  readonly name: string
  header(height: number): Promise<BlockHeader>
}

/** Parses an 80-byte header; `height` is the caller's (a header does not carry it). */
export function parseBlockHeader(bytes: Uint8Array, height: number, where: string): BlockHeader {
  if (bytes.length !== 80) {
    throw usageError(
      'BITCOIN_HEADER_INVALID',
      `${where}: block ${height}: a header is 80 bytes, got ${bytes.length}`,
    )
  }
  const buf = Buffer.from(bytes)
  const hash = Buffer.from(createHash('sha256').update(createHash('sha256').update(buf).digest()).digest())
    .reverse()
    .toString('hex')
  return { height, hash, merkleRoot: Uint8Array.from(buf.subarray(36, 68)), time: buf.readUInt32LE(68) }
}

/** The source a `bitcoin` setting names: `file:PATH`, an `rpc+http(s)://user:pass@host` URL, or an explorer URL. */
export function blockHeaderSource(spec: string, fetchImpl: typeof fetch = fetch): BlockHeaderSource {
  if (spec.startsWith('file:')) return headerFileSource(spec.slice('file:'.length))
  if (spec.startsWith('rpc+')) return bitcoinCoreSource(spec.slice('rpc+'.length), fetchImpl)
  if (/^https?:\/\//.test(spec)) return esploraSource(spec, fetchImpl)
  throw usageError(
    'BITCOIN_SOURCE_INVALID',
    `bitcoin source ${JSON.stringify(spec)} is not file:PATH, rpc+http://… or an explorer URL`,
    'Set anchor.bitcoin.source in goblin.config.json (or pass --bitcoin-source) to one of those forms.',
  )
}

/** Offline headers from a text file: `HEIGHT HEX80` a line. */
export function headerFileSource(path: string): BlockHeaderSource {
  let lines: string[]
  try {
    lines = readFileSync(path, 'utf8').split('\n')
  } catch (error) {
    throw usageError(
      'BITCOIN_HEADERS_UNREADABLE',
      `cannot read block headers file ${path}: ${(error as Error).message}`,
    )
  }
  const headers = new Map<number, BlockHeader>()
  lines.forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim()
    if (!line) return
    const match = /^(\d+)\s+([0-9a-fA-F]{160})$/.exec(line)
    if (!match) {
      throw usageError('BITCOIN_HEADERS_INVALID', `${path}:${i + 1}: expected "HEIGHT <160 hex digits>"`)
    }
    const height = Number(match[1])
    headers.set(height, parseBlockHeader(Buffer.from(match[2] as string, 'hex'), height, `${path}:${i + 1}`))
  })
  return {
    name: `file ${path}`,
    async header(height) {
      const header = headers.get(height)
      if (!header) {
        throw new GoblinError('BITCOIN_HEADER_MISSING', `${path} has no header for block ${height}`, {
          hint: `Add the line "${height} <80-byte header hex>" (bitcoin-cli getblockheader $(bitcoin-cli getblockhash ${height}) false).`,
        })
      }
      return header
    },
  }
}

/** A Bitcoin Core node: JSON-RPC over HTTP, credentials in the URL's user info (never printed). */
export function bitcoinCoreSource(url: string, fetchImpl: typeof fetch = fetch): BlockHeaderSource {
  const parsed = new URL(url)
  const auth = parsed.username
    ? `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}`
    : undefined
  parsed.username = ''
  parsed.password = ''
  const endpoint = parsed.toString()
  const call = async (method: string, params: unknown[]): Promise<unknown> => {
    const body = await httpText(
      fetchImpl,
      endpoint,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify({ jsonrpc: '1.0', id: 'goblin', method, params }),
      },
      `Bitcoin Core RPC ${endpoint}`,
      // Bitcoin Core answers RPC errors (unknown height) with HTTP 500 and a JSON error body.
      true,
    )
    const reply = JSON.parse(body) as { result?: unknown; error?: { message?: string } | null }
    if (reply.error) {
      throw new GoblinError('BITCOIN_RPC_ERROR', `Bitcoin Core RPC ${method}: ${reply.error.message}`, {})
    }
    return reply.result
  }
  return {
    name: `rpc ${endpoint}`,
    async header(height) {
      const hash = String(await call('getblockhash', [height]))
      const hex = String(await call('getblockheader', [hash, false]))
      return checkedHeader(hex, height, hash, `Bitcoin Core RPC ${endpoint}`)
    },
  }
}

/** An Esplora-style explorer (Blockstream, mempool.space, or your own electrs). */
export function esploraSource(baseUrl: string, fetchImpl: typeof fetch = fetch): BlockHeaderSource {
  const base = baseUrl.replace(/\/+$/, '')
  return {
    name: `esplora ${base}`,
    async header(height) {
      const hash = (
        await httpText(fetchImpl, `${base}/block-height/${height}`, {}, `explorer ${base}`)
      ).trim()
      const hex = (await httpText(fetchImpl, `${base}/block/${hash}/header`, {}, `explorer ${base}`)).trim()
      return checkedHeader(hex, height, hash, `explorer ${base}`)
    },
  }
}

/** A header whose own hash must match the hash the source named for the height: a lying source is caught. */
function checkedHeader(hex: string, height: number, hash: string, where: string): BlockHeader {
  if (!/^[0-9a-fA-F]{160}$/.test(hex)) {
    throw new GoblinError('BITCOIN_HEADER_INVALID', `${where}: block ${height}: not an 80-byte header`, {
      exit: ExitCode.notOk,
    })
  }
  const header = parseBlockHeader(Buffer.from(hex, 'hex'), height, where)
  if (header.hash !== hash.toLowerCase()) {
    throw new GoblinError(
      'BITCOIN_HEADER_MISMATCH',
      `${where}: block ${height}: header hashes to ${header.hash}, not ${hash}`,
    )
  }
  return header
}

async function httpText(
  fetchImpl: typeof fetch,
  url: string,
  init: RequestInit,
  where: string,
  jsonErrorBody = false,
): Promise<string> {
  let response: Response
  try {
    response = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(15_000) })
  } catch (error) {
    throw unreachableError(
      'BITCOIN_SOURCE_UNREACHABLE',
      `${where} is unreachable (${(error as Error).message})`,
      'Check the bitcoin source URL, or verify offline with a headers file (--bitcoin-source file:PATH).',
      error,
    )
  }
  const text = await response.text()
  // Refused credentials are a setting to fix (exit 2), never a verdict on the proof being checked.
  if (response.status === 401 || response.status === 403) {
    throw usageError(
      'BITCOIN_AUTH',
      `${where}: the credentials were refused (HTTP ${response.status})`,
      'Fix the user and password in anchor.bitcoin.source (rpc+http://USER:PASSWORD@host:8332, as rpcauth in bitcoin.conf sets them) or --bitcoin-source.',
    )
  }
  if (!response.ok && !(jsonErrorBody && text.startsWith('{'))) {
    throw new GoblinError(
      'BITCOIN_SOURCE_ERROR',
      `${where}: HTTP ${response.status} for ${new URL(url).pathname}`,
      {
        exit: response.status >= 500 ? 3 : 1,
      },
    )
  }
  return text
}
