import { createHash } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { closeServer, listenOnLoopback } from '../helpers/loopback.js'

/**
 * TEST PEER: serves Bitcoin block headers on 127.0.0.1 the two ways goblin reads them: an Esplora-style
 * explorer (`GET /esplora/block-height/N`, `GET /esplora/block/HASH/header`) and Bitcoin Core JSON-RPC
 * (`POST /rpc`: getblockhash, getblockheader with verbose=false, basic auth `user:secret`). It stands in
 * for a node or explorer, which cannot be reached from here; the headers it serves are real ones
 * (from fixtures) or those the calendar test peer "mined". `lie` makes it serve a wrong hash for a height.
 */
export class BitcoinPeer {
  url = ''
  headers = new Map<number, Buffer>()
  lie = false
  private server: Server

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const url = req.url ?? ''
        let m = /^\/esplora\/block-height\/(\d+)$/.exec(url)
        if (m) {
          const header = this.headers.get(Number(m[1]))
          if (!header) res.writeHead(404).end('Block not found')
          else res.writeHead(200).end(this.lie ? '00'.repeat(32) : blockHash(header))
          return
        }
        m = /^\/esplora\/block\/([0-9a-f]{64})\/header$/.exec(url)
        if (m) {
          const header = [...this.headers.values()].find((h) => blockHash(h) === m?.[1])
          if (!header && this.lie) res.writeHead(200).end([...this.headers.values()][0]?.toString('hex'))
          else if (!header) res.writeHead(404).end('Block not found')
          else res.writeHead(200).end(header.toString('hex'))
          return
        }
        if (url === '/rpc' && req.method === 'POST') {
          if (req.headers.authorization !== `Basic ${Buffer.from('user:secret').toString('base64')}`) {
            res.writeHead(401).end()
            return
          }
          const call = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            method: string
            params: unknown[]
            id: unknown
          }
          const reply = (result: unknown, error: unknown = null, status = 200) =>
            res
              .writeHead(status, { 'content-type': 'application/json' })
              .end(JSON.stringify({ result, error, id: call.id }))
          if (call.method === 'getblockhash') {
            const header = this.headers.get(Number(call.params[0]))
            if (!header) reply(null, { code: -8, message: 'Block height out of range' }, 500)
            else reply(blockHash(header))
            return
          }
          if (call.method === 'getblockheader') {
            const header = [...this.headers.values()].find((h) => blockHash(h) === call.params[0])
            if (!header) reply(null, { code: -5, message: 'Block not found' }, 500)
            else reply(header.toString('hex'))
            return
          }
          reply(null, { code: -32601, message: 'Method not found' }, 500)
          return
        }
        res.writeHead(404).end()
      })
    })
  }

  async start(): Promise<this> {
    this.url = await listenOnLoopback(this.server)
    return this
  }

  stop(): Promise<void> {
    return closeServer(this.server)
  }
}

/** A block's hash in display order: double SHA-256 of the header, reversed. */
export function blockHash(header: Buffer): string {
  const once = createHash('sha256').update(header).digest()
  return Buffer.from(createHash('sha256').update(once).digest()).reverse().toString('hex')
}
