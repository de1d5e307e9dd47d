import { httpGetText } from '../core/http-get.js'

/** What an HTTP health endpoint answered, or null when nothing answered in time. */
export interface HttpAnswer {
  status: number
  body: string
}

/**
 * GETs a URL with a deadline, a redirect being the answer; never throws (a refused or timed-out request is
 * null). Over node:http, not fetch, whose first call loads undici (src/core/http-get.ts).
 */
export async function probeHttp(url: string, timeoutMs = 1_000): Promise<HttpAnswer | null> {
  try {
    const answer = await httpGetText(url, {}, timeoutMs, { redirects: 0 })
    return { status: answer.status, body: answer.text }
  } catch {
    return null
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}
