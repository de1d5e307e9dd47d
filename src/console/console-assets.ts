import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { extname, join } from 'node:path'
import type { HttpAnswer } from '../collector/otlp-receiver.js'
import { packageRoot } from '../stack/package-root.js'

/** The path the console is served under: `/console/` (the page) and `/console/<asset>`. */
export const CONSOLE_PATH = '/console/'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
}

/**
 * What the page may load: its own files and the collector's read API, nothing from elsewhere, so a
 * console can never reach a CDN or the network even if a dependency tried; no framing (clickjacking).
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
}

/** The built console (`npm run build` writes it to dist/console): file name -> bytes, read once. */
export interface ConsoleAssets {
  files: Map<string, Buffer>
  dir: string
}

/** Loads the built console from `dir` (default: the package's dist/console); absent means not built. */
export function loadConsoleAssets(dir = join(packageRoot(), 'dist', 'console')): ConsoleAssets {
  const files = new Map<string, Buffer>()
  if (existsSync(dir)) {
    for (const name of readdirSync(dir)) {
      if (CONTENT_TYPES[extname(name)]) files.set(name, readFileSync(join(dir, name)))
    }
  }
  return { files, dir }
}

/**
 * Answers `/console`, `/console/` and `/console/<file>`: only names of the built files are served (no
 * path is joined from the request, so nothing outside the folder can be named); null for other paths.
 */
export function serveConsoleAsset(pathname: string, assets: ConsoleAssets): HttpAnswer | null {
  if (pathname === '/console')
    return { status: 308, headers: { location: CONSOLE_PATH, 'content-type': 'text/plain' }, body: '' }
  if (!pathname.startsWith(CONSOLE_PATH)) return null
  const name = pathname.slice(CONSOLE_PATH.length) || 'index.html'
  const body = assets.files.get(name)
  if (!body) {
    const built = assets.files.has('index.html')
    return {
      status: 404,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: built
        ? `no console file ${name}\n`
        : `the console is not built (no ${assets.dir}): run npm run build\n`,
    }
  }
  return {
    status: 200,
    headers: { 'content-type': CONTENT_TYPES[extname(name)] as string, ...SECURITY_HEADERS },
    body,
  }
}
