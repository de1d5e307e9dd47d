import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorCause, httpGetText, httpPostText } from '../../../src/core/http-get.js'

// A real HTTP server on 127.0.0.1: answers, redirects, errors and one that never answers.
describe('httpGetText and httpPostText', () => {
  let server: Server
  let base: string
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/json') {
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify({ accept: req.headers.accept, text: 'ünïcode' }))
      } else if (req.url === '/moved') {
        res.writeHead(302, { location: '/json' }).end()
      } else if (req.url === '/loop') {
        res.writeHead(307, { location: '/loop' }).end()
      } else if (req.url === '/echo' && req.method === 'POST') {
        const chunks: Buffer[] = []
        req.on('data', (chunk: Buffer) => chunks.push(chunk))
        req.on('end', () => res.end(`${req.headers['content-type']} ${Buffer.concat(chunks)}`))
      } else if (req.url === '/hang') {
        res.writeHead(200)
        res.write('partial')
      } else res.writeHead(400).end('bad search')
    })
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => {
    server.closeAllConnections()
    server.close()
  })

  it('reads the whole body as UTF-8 and sends the headers', async () => {
    const answer = await httpGetText(`${base}/json`, { accept: 'application/json' }, 5_000)
    expect(answer).toMatchObject({ status: 200, ok: true })
    expect(JSON.parse(answer.text)).toEqual({ accept: 'application/json', text: 'ünïcode' })
  })

  it('follows redirects, but not forever', async () => {
    expect((await httpGetText(`${base}/moved`, {}, 5_000)).status).toBe(200)
    expect((await httpGetText(`${base}/loop`, {}, 5_000)).status).toBe(307)
    // A probe takes the redirect as the answer.
    expect((await httpGetText(`${base}/moved`, {}, 5_000, { redirects: 0 })).status).toBe(302)
  })

  it('posts a body with its headers, and takes a redirect of a POST as the answer', async () => {
    const posted = await httpPostText(
      `${base}/echo`,
      { 'content-type': 'application/json' },
      '{"a":1}',
      5_000,
    )
    expect(posted).toEqual({ status: 200, ok: true, text: 'application/json {"a":1}' })
    expect(await httpPostText(`${base}/moved`, {}, 'x', 5_000)).toMatchObject({ status: 302, ok: false })
  })

  it('answers an error status with its body, not ok', async () => {
    expect(await httpGetText(`${base}/other`, {}, 5_000)).toEqual({
      status: 400,
      ok: false,
      text: 'bad search',
    })
  })

  it('gives up after the timeout with a TimeoutError, and names a refused connection', async () => {
    const slow = await httpGetText(`${base}/hang`, {}, 200).catch((error: unknown) => error)
    expect(errorCause(slow)).toBe('TimeoutError')
    const closed = createServer()
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done))
    const port = (closed.address() as AddressInfo).port
    await new Promise((done) => closed.close(done))
    const refused = await httpGetText(`http://127.0.0.1:${port}/`, {}, 5_000).catch((error: unknown) => error)
    expect(errorCause(refused)).toBe('ECONNREFUSED')
  })
})
