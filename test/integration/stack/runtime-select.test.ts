import { createServer, type RequestListener, type Server } from 'node:http'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { pingDocker } from '../../../src/stack/docker-endpoint.js'
import { selectRuntime } from '../../../src/stack/runtime-select.js'
import { tempDir } from '../../helpers/cli.js'

/**
 * Runtime selection against HTTP servers on a unix socket that answer the way engines do (the headers
 * Docker's and Podman's `/_ping` send, and `/version`): protocol stand-ins, not engines.
 */
describe('selectRuntime and pingDocker', () => {
  const dir = tempDir('goblin-engine-')
  let server: Server | null = null
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))
    server = null
  })
  afterAll(() => dir.cleanup())

  async function serve(handler: RequestListener): Promise<NodeJS.ProcessEnv> {
    const socket = join(dir.path, `engine-${Math.random().toString(36).slice(2)}.sock`)
    server = createServer(handler)
    await new Promise<void>((resolve) => server?.listen(socket, resolve))
    return { DOCKER_HOST: `unix://${socket}` }
  }

  it('auto takes docker when /_ping answers, naming the engine from its headers (Podman style)', async () => {
    const env = await serve((req, res) => {
      expect(req.url).toBe('/_ping')
      res.writeHead(200, { Server: 'Libpod/4.3.1 (linux)', 'Api-Version': '1.41' }).end('OK')
    })
    const selected = await selectRuntime('auto', env)
    expect(selected).toMatchObject({ runtime: 'docker', engine: 'Libpod 4.3.1 (API 1.41)' })
    expect(selected.reason).toContain('auto: a Docker engine answers at unix://')
  })

  it("reads Docker's version from Server: Docker/x, and asks /version only when the ping lacks it", async () => {
    let env = await serve((_req, res) =>
      res.writeHead(200, { Server: 'Docker/27.3.1 (linux)', 'Api-Version': '1.47' }).end('OK'),
    )
    expect(await pingDocker({ kind: 'socket', socketPath: (env.DOCKER_HOST ?? '').slice(7) })).toEqual({
      version: '27.3.1',
      apiVersion: '1.47',
    })
    await new Promise((resolve) => server?.close(resolve))
    const asked: string[] = []
    env = await serve((req, res) => {
      asked.push(req.url ?? '')
      if (req.url === '/_ping') return res.writeHead(200).end('OK')
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ Version: '26.1.0', ApiVersion: '1.45', Os: 'linux' }))
    })
    expect(await selectRuntime('docker', env)).toMatchObject({
      runtime: 'docker',
      engine: '26.1.0 (API 1.45)',
    })
    expect(asked).toEqual(['/_ping', '/version'])
  })

  it('auto settles for embedded when nothing or something else answers; docker then exits 3', async () => {
    const missing = { DOCKER_HOST: `unix://${join(dir.path, 'nothing.sock')}` }
    expect(await selectRuntime('auto', missing)).toMatchObject({
      runtime: 'embedded',
      reason: expect.stringContaining('no Docker engine answers'),
    })
    await expect(selectRuntime('docker', missing)).rejects.toMatchObject({
      code: 'DOCKER_UNREACHABLE',
      exit: 3,
    })
    const web = await serve((_req, res) => res.writeHead(404).end('not found'))
    expect((await selectRuntime('auto', web)).runtime).toBe('embedded')
    await expect(selectRuntime('docker', web)).rejects.toMatchObject({ code: 'DOCKER_BAD_ANSWER', exit: 3 })
  })

  it('embedded needs no engine, and a malformed DOCKER_HOST is exit 2', async () => {
    expect(await selectRuntime('embedded', { DOCKER_HOST: 'garbage' })).toMatchObject({ runtime: 'embedded' })
    await expect(selectRuntime('auto', { DOCKER_HOST: 'ssh://host' })).rejects.toMatchObject({
      code: 'DOCKER_HOST_INVALID',
      exit: 2,
    })
  })
})
