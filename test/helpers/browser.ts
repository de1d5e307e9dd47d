import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BrowserContext, chromium } from 'playwright-core'

/** Debian's Chromium (`.ci/run` installs the `chromium` package). */
export const CHROMIUM = '/usr/bin/chromium'

/**
 * Debian's Chromium, headless, with a fresh profile, and with the flags that keep it off the network
 * (no background, component or sync traffic: this machine's network is closed). `hostRules` maps names
 * to addresses (`MAP rebind.example 127.0.0.1`), as a rebinding DNS server would.
 */
export async function launchChromium(options: { hostRules?: string } = {}): Promise<{
  context: BrowserContext
  close: () => Promise<void>
}> {
  const profile = mkdtempSync(join(tmpdir(), 'goblin-chromium-'))
  const args = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ]
  if (options.hostRules) args.push(`--host-resolver-rules=${options.hostRules}`)
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args,
    viewport: { width: 1280, height: 800 },
  })
  return {
    context,
    close: async () => {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}
