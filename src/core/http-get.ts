import type { IncomingMessage } from 'node:http'

/** An HTTP answer read whole: what the trace and metrics clients look at. */
export interface HttpAnswer {
  status: number
  ok: boolean
  text: string
}

const REDIRECTS = new Set([301, 302, 303, 307, 308])

/**
 * GET `url` over node:http(s) and read the body as text, following redirects as fetch does (up to 20, or
 * `redirects`; with 0 the redirect is the answer);
 * the whole exchange is bounded by `timeoutMs` (an error named TimeoutError, as AbortSignal.timeout's).
 * Not fetch: the first fetch of a process loads undici, about 30 ms of a short command's start-up. The
 * modules come from process.getBuiltinModule, whose CommonJS object spares building node:http's ES module
 * namespace (which would load undici too). Connection errors reject with Node's own (`code` ECONNREFUSED, ...).
 */
export function httpGetText(
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
  { redirects = 20 }: { redirects?: number } = {},
): Promise<HttpAnswer> {
  return httpText(url, { method: 'GET', headers, redirects }, timeoutMs)
}

/**
 * POST `body` to `url` and read the answer as text, as httpGetText does; a redirect is the answer (fetch
 * would resend the body to it, or turn the request into a GET).
 */
export function httpPostText(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<HttpAnswer> {
  return httpText(url, { method: 'POST', headers, body, redirects: 0 }, timeoutMs)
}

function httpText(
  url: string,
  request: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string; redirects: number },
  timeoutMs: number,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      current?.destroy(Object.assign(new Error(`timed out after ${timeoutMs} ms`), { name: 'TimeoutError' }))
    }, timeoutMs)
    const done =
      <T>(settle: (value: T) => void) =>
      (value: T) => {
        clearTimeout(timer)
        settle(value)
      }
    const fail = done(reject)
    let current: ReturnType<typeof send> | undefined
    function send(target: URL, left: number) {
      const http = process.getBuiltinModule(target.protocol === 'https:' ? 'node:https' : 'node:http')
      const options = { method: request.method, headers: request.headers }
      const req = http.request(target, options, (res: IncomingMessage) => {
        const location = res.headers.location
        if (res.statusCode && REDIRECTS.has(res.statusCode) && location && left > 0) {
          res.resume()
          current = send(new URL(location, target), left - 1)
          return
        }
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', fail)
        res.on('end', () => {
          const status = res.statusCode ?? 0
          done(resolve)({
            status,
            ok: status >= 200 && status < 300,
            text: Buffer.concat(chunks).toString('utf8'),
          })
        })
      })
      req.on('error', fail)
      req.end(request.body)
      return req
    }
    try {
      current = send(new URL(url), request.redirects)
    } catch (error) {
      fail(error)
    }
  })
}

/**
 * The most telling code of a failed request: ECONNREFUSED, ENOTFOUND, TimeoutError, ... A fetch error
 * carries it in its cause; node:http's error (httpGetText, httpPostText) is the cause itself.
 */
export function errorCause(error: unknown): string {
  type Cause = { code?: string; errors?: Array<{ code?: string }>; message?: string }
  const cause = (error as { cause?: Cause }).cause
  if (!cause && (error as Error).name !== 'TimeoutError') {
    const own = error as Cause
    if (own.code || own.errors?.[0]?.code) return own.code ?? own.errors?.[0]?.code ?? ''
  }
  return cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (error as Error).name
}
