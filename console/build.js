// Builds the console (console/src) into dist/console: one minified script, one stylesheet, the page.
// Run by `npm run build`; the collector serves the folder on /console/ (src/console/console-assets.ts).
import { copyFileSync, mkdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const here = dirname(fileURLToPath(import.meta.url))
const out = join(here, '..', 'dist', 'console')
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
await build({
  entryPoints: { app: join(here, 'src', 'main.tsx'), style: join(here, 'src', 'style.css') },
  outdir: out,
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'chrome120',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
})
copyFileSync(join(here, 'index.html'), join(out, 'index.html'))
