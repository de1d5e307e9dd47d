import { createHash, randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { serializeTimestamp, type TimestampNode } from '../../src/anchor/ots-codec.js'
import { closeServer, listenOnLoopback } from '../helpers/loopback.js'

/**
 * TEST PEER: a small OpenTimestamps calendar on 127.0.0.1 that speaks the real protocol and builds real
 * commitments. `POST /digest` answers append(salt) → sha256 → pending(own URL); `mine()` puts every pending
 * commitment into a Bitcoin-style Merkle tree (double SHA-256), makes a block header over its root, and from
 * then on `GET /timestamp/<commitment>` answers the path to that root with a Bitcoin attestation.
 * It stands in for the public calendars, which cannot be reached from here; the block it "mines" is served
 * by `BitcoinPeer` (Esplora and Bitcoin Core RPC) or written to a headers file.
 */
export class CalendarPeer {
  url = ''
  requests: string[] = []
  private server: Server
  private pending: Buffer[] = []
  private completed = new Map<string, TimestampNode>()

  constructor() {
    this.server = createServer((req, res) => {
      this.requests.push(`${req.method} ${req.url}`)
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        if (req.method === 'POST' && req.url === '/digest') {
          const digest = Buffer.concat(chunks)
          if (digest.length === 0 || digest.length > 64) {
            res.writeHead(400).end('bad digest')
            return
          }
          const salt = randomBytes(8)
          const commitment = sha256(Buffer.concat([digest, salt]))
          this.pending.push(commitment)
          const node: TimestampNode = {
            attestations: [],
            ops: [
              {
                op: { op: 'append', arg: salt },
                next: {
                  attestations: [],
                  ops: [
                    {
                      op: { op: 'sha256' },
                      next: { attestations: [{ kind: 'pending', uri: this.url }], ops: [] },
                    },
                  ],
                },
              },
            ],
          }
          res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(serializeTimestamp(node))
          return
        }
        const match = /^\/timestamp\/([0-9a-f]+)$/.exec(req.url ?? '')
        if (req.method === 'GET' && match) {
          const node = this.completed.get(match[1] as string)
          if (!node) res.writeHead(404).end('Pending confirmation in Bitcoin blockchain')
          else
            res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(serializeTimestamp(node))
          return
        }
        res.writeHead(404).end('not found')
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

  /** "Mines" the pending commitments into a block at `height`; returns the 80-byte header. */
  mine(height: number, time = 1_760_000_000): Buffer {
    const leaves = this.pending
    this.pending = []
    // Each leaf's path to the root, built level by level as Bitcoin does (odd levels duplicate the last).
    const tails: TimestampNode[] = leaves.map(() => ({ attestations: [], ops: [] }))
    const heads = [...tails]
    let level = leaves.map((leaf, i) => ({ hash: leaf, members: [i] }))
    while (level.length > 1) {
      const next: typeof level = []
      for (let i = 0; i < level.length; i += 2) {
        const left = level[i] as (typeof level)[number]
        const right = level[i + 1] ?? left
        const parent = sha256(sha256(Buffer.concat([left.hash, right.hash])))
        const extend = (members: number[], op: { op: 'append' | 'prepend'; arg: Buffer }): void => {
          for (const m of members) {
            const second: TimestampNode = { attestations: [], ops: [] }
            const first: TimestampNode = { attestations: [], ops: [{ op: { op: 'sha256' }, next: second }] }
            ;(tails[m] as TimestampNode).ops.push({
              op,
              next: { attestations: [], ops: [{ op: { op: 'sha256' }, next: first }] },
            })
            tails[m] = second
          }
        }
        extend(left.members, { op: 'append', arg: right.hash })
        if (right !== left) extend(right.members, { op: 'prepend', arg: left.hash })
        next.push({
          hash: parent,
          members: right === left ? left.members : [...left.members, ...right.members],
        })
      }
      level = next
    }
    const root = level[0]?.hash ?? sha256(Buffer.alloc(0))
    for (const tail of tails) tail.attestations.push({ kind: 'bitcoin', height })
    for (const [i, leaf] of leaves.entries())
      this.completed.set(leaf.toString('hex'), heads[i] as TimestampNode)
    const header = Buffer.alloc(80)
    header.writeUInt32LE(0x20000000, 0)
    root.copy(header, 36)
    header.writeUInt32LE(time, 68)
    header.writeUInt32LE(0x207fffff, 72)
    return header
  }
}

function sha256(b: Buffer): Buffer {
  return createHash('sha256').update(b).digest()
}
