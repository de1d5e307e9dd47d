import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getJson } from '../../../console/src/api.js'

// A real server on 127.0.0.1 that leaves the first request of a path unanswered and answers the next.
describe("the console's reads", () => {
  let server: Server
  let base: string
  const held: ServerResponse[] = []
  const asked = new Map<string, number>()
  beforeAll(async () => {
    server = createServer((req, res) => {
      const n = (asked.get(req.url ?? '') ?? 0) + 1
      asked.set(req.url ?? '', n)
      if (req.url === '/never' || (req.url === '/once' && n === 1)) {
        held.push(res)
        return
      }
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ try: n }))
    })
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => {
    server.closeAllConnections()
    server.close()
  })

  it('ask once more when a try has no answer in time', async () => {
    expect(await getJson(`${base}/once`, undefined, 300)).toEqual({ try: 2 })
    expect(asked.get('/once')).toBe(2)
  })

  it('give up after the second try, and leave an abort of the caller an abort', async () => {
    await expect(getJson(`${base}/never`, undefined, 200)).rejects.toMatchObject({ name: 'TimeoutError' })
    expect(asked.get('/never')).toBe(2)
    const controller = new AbortController()
    const read = getJson(`${base}/never`, controller.signal, 5_000)
    controller.abort()
    await expect(read).rejects.toMatchObject({ name: 'AbortError' })
    expect(asked.get('/never')).toBeLessThanOrEqual(3)
  })
})
