import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa, type ResultPromise } from 'execa'
import type { BrowserContext, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { privateKeyPath } from '../../../src/audit/keyring.js'
import { formatUsd } from '../../../src/ui/format.js'
import { launchChromium } from '../../helpers/browser.js'
import { GOBLIN_BIN, parseJson, REPO_ROOT, runGoblin, tempDir } from '../../helpers/cli.js'
import { requestWithHost } from '../../helpers/loopback.js'
import { CalendarPeer } from '../../support/ots-calendar-peer.js'

// The console in Debian's Chromium (playwright-core), against a real `goblin collector serve --audit` fed by
// goblin's telemetry SDK and audit emitter in another process (test/fixtures/console/send-agent-trace.mjs).
const SENDER = join(REPO_ROOT, 'test/fixtures/console/send-agent-trace.mjs')
// gpt-4o: 6,000 plain input x $2.5/M + 4,000 cache reads x $1.25/M + 1,000 output x $10/M
const GPT4O_USD = 0.03
const home = tempDir()
// The screenshots in docs/images are this test's: `GOBLIN_SCREENSHOTS=docs/images npx vitest run
// test/e2e/console` refreshes them; other runs take them into the temporary home (a run leaves git clean).
const SCREENSHOTS = process.env.GOBLIN_SCREENSHOTS
  ? join(REPO_ROOT, process.env.GOBLIN_SCREENSHOTS)
  : home.path

const project = tempDir('goblin-project-')
const env = { GOBLIN_HOME: home.path, NO_COLOR: '1', CI: 'true' }
const goblin = (...args: string[]) => runGoblin(args, { cwd: project.path, env })
let collector: ResultPromise
let url = ''
let port = 0
let sent: { traceId: string; llmSpanId: string }
let browser: { context: BrowserContext; close: () => Promise<void> }
let page: Page
/** Uncaught errors in the page, for the messages of failed waits. */
const pageErrors: string[] = []

/** What the page has loaded (each request, when it started and how long it took), its text and its errors. */
async function pageState(): Promise<string> {
  const requests = await page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .map(
        (e) =>
          `${Math.round(e.startTime)} +${Math.round((e as unknown as { responseEnd: number }).responseEnd - e.startTime)} ms ${e.name}`,
      ),
  )
  const text = await page.locator('section').first().textContent()
  return `requests:\n${requests.join('\n')}\npage text:\n${text}\npage errors:\n${pageErrors.join('\n')}`
}

/**
 * Waits for `locator`; if it does not come, reloads the page once and waits again. CI has, in three of six
 * runs on one day, seen the cost page's last request answered (by the resource timings) but its data never
 * drawn, and never here: the first miss is written to the test's output with the page's state, so that it
 * can be found, and only a second miss fails the test.
 */
async function shownOnce(locator: Locator, what: string): Promise<void> {
  try {
    await locator.waitFor({ timeout: 15_000 })
  } catch (error) {
    console.warn(`${what} did not show within 15 s; reloading once\n${await pageState()}`)
    await page.reload()
    await locator.waitFor({ timeout: 30_000 }).catch(async (again: Error) => {
      throw new Error(`${again.message}\n(first miss: ${(error as Error).message})\n${await pageState()}`)
    })
  }
}
// The OpenTimestamps calendar is the tests' stand-in (test/support/ots-calendar-peer.ts): no network here.
let calendar: CalendarPeer

function writeConfig(collectorPort?: number) {
  const config = {
    audit: { key: 'goblin' },
    anchor: { ots: { calendars: [calendar.url] } },
    cost: {
      budgets: [
        { goblin: 'researcher', period: 'day', usd: 0.02 },
        { task: 'T-7', period: 'week', usd: 1 },
      ],
    },
    ...(collectorPort ? { collector: { port: collectorPort } } : {}),
  }
  writeFileSync(join(project.path, 'goblin.config.json'), JSON.stringify(config))
}

/** Sends one agent trace with two audit decisions; `run` numbers the runs (each continues the seqs). */
async function sendAgentTrace(run = 0): Promise<{ traceId: string; llmSpanId: string }> {
  const keyFile = privateKeyPath(join(home.path, 'keys'), 'researcher')
  const sender = await execa(process.execPath, [SENDER, url, keyFile, String(run * 2)], {
    cwd: REPO_ROOT,
    reject: false,
  })
  expect(sender.exitCode, String(sender.stderr)).toBe(0)
  return JSON.parse(String(sender.stdout)) as { traceId: string; llmSpanId: string }
}

beforeAll(async () => {
  calendar = await new CalendarPeer().start()
  writeConfig()
  expect((await goblin('audit', 'keygen')).exitCode).toBe(0)
  expect((await goblin('audit', 'keygen', '--name', 'researcher')).exitCode).toBe(0)
  collector = execa(
    process.execPath,
    [GOBLIN_BIN, 'collector', 'serve', '--port', '0', '--audit', '--json'],
    {
      cwd: project.path,
      env,
      reject: false,
    },
  )
  url = await new Promise<string>((resolve, reject) => {
    let out = ''
    collector.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = /"url":"(http:[^"]+)"/.exec(out)
      if (match?.[1]) resolve(match[1])
    })
    collector.once('exit', (code) => reject(new Error(`collector exited ${code}: ${out}`)))
  })
  port = Number(new URL(url).port)
  writeConfig(port)
  sent = await sendAgentTrace()
  // Both decisions are signed into the ledger once their requests are answered; seal them in a checkpoint.
  const checkpoint = await goblin('audit', 'checkpoint')
  expect(checkpoint.exitCode, checkpoint.stderr).toBe(0)
  const anchored = await goblin('audit', 'anchor', '--ots')
  expect(anchored.exitCode, anchored.stderr).toBe(0)
  browser = await launchChromium({ hostRules: 'MAP rebind.example 127.0.0.1' })
  page = await browser.context.newPage()
  page.on('pageerror', (error) => pageErrors.push(error.message))
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await calendar?.stop()
  collector?.kill('SIGTERM')
  await collector
  home.cleanup()
  project.cleanup()
})

describe('the console in Chromium', { timeout: 60_000 }, () => {
  it('goblin console prints the URL of the running collector, and exits 3 when none answers', async () => {
    const printed = await goblin('console', '--print')
    expect(printed.exitCode, printed.stderr).toBe(0)
    expect(printed.stdout.trim()).toBe(`http://127.0.0.1:${port}/console/`)
    const deep = parseJson<{ url: string; openedWith: string | null }>(
      await goblin('console', sent.traceId.slice(0, 8), '--json'),
    )
    expect(deep).toEqual({
      url: `http://127.0.0.1:${port}/console/#/trace/${sent.traceId.slice(0, 8)}`,
      openedWith: null,
    })
    const elsewhere = tempDir('goblin-project-')
    writeFileSync(join(elsewhere.path, 'goblin.config.json'), JSON.stringify({ collector: { port: 9 } }))
    const down = await runGoblin(['console', '--print'], { cwd: elsewhere.path, env })
    elsewhere.cleanup()
    expect(down.exitCode).toBe(3)
    expect(down.stderr).toContain('no goblin collector answers at http://127.0.0.1:9')
    const bad = await goblin('console', 'not-hex')
    expect(bad.exitCode).toBe(2)
  })

  it('refuses a Host that is not a loopback name (DNS rebinding), in the browser and over HTTP', async () => {
    // Chromium resolves rebind.example to 127.0.0.1, as a rebinding DNS answer would.
    const answer = await page.goto(`http://rebind.example:${port}/console/`)
    expect(answer?.status()).toBe(403)
    expect(await page.textContent('body')).toContain('is not a loopback name')
    const api = await requestWithHost(url, '/api/goblin/audit/entries', 'attacker.example')
    expect(api.status).toBe(403)
    expect((await requestWithHost(url, '/console/', `localhost:${port}`)).status).toBe(200)
    expect((await requestWithHost(url, '/console/', `127.0.0.1:${port}`, 'POST')).status).toBe(405)
  })

  it('serves the page with a policy that forbids loading anything from elsewhere', async () => {
    const answer = await page.goto(`${url}/console/`)
    expect(answer?.status()).toBe(200)
    expect(answer?.headers()['content-security-policy']).toContain("default-src 'none'")
    expect(answer?.headers()['content-security-policy']).toContain("connect-src 'self'")
  })

  it('trace list -> trace -> LLM span -> its audit decisions, verified in the page', async () => {
    await page.goto(`${url}/console/#/traces`)
    const row = page.locator(`[data-trace="${sent.traceId}"]`)
    await row.waitFor()
    expect(await row.locator('[data-testid="trace-cost"]').textContent()).toContain(formatUsd(GPT4O_USD))
    await page.screenshot({ path: join(SCREENSHOTS, 'console-traces.png') })
    await row.click()
    await page.locator('[data-testid="waterfall"]').waitFor()
    expect(await page.textContent('[data-testid="trace-id"]')).toBe(sent.traceId)
    // The trace's total is `trace show --json`'s, and the only priced call's: the cost report's total.
    const shown = parseJson<{ llm: { costUsd: number } }>(
      await goblin('trace', 'show', sent.traceId, '--json'),
    )
    const report = parseJson<{ total: { usd: number } }>(await goblin('cost', 'report', '--json'))
    expect(shown.llm.costUsd).toBeCloseTo(GPT4O_USD, 9)
    expect(report.total.usd).toBeCloseTo(shown.llm.costUsd, 9)
    expect(await page.textContent('[data-testid="trace-total-cost"]')).toBe(formatUsd(report.total.usd))

    await page.locator(`[data-span="${sent.llmSpanId}"]`).click()
    const panel = page.locator('[data-testid="span-panel"]')
    expect(await panel.locator('[data-testid="llm-model"]').textContent()).toBe('gpt-4o')
    expect(await panel.locator('[data-testid="llm-cost"]').textContent()).toBe(formatUsd(GPT4O_USD))
    expect(await panel.locator('[data-testid="llm-tokens"]').textContent()).toContain(
      'input 10,000 (cache read 4,000',
    )
    expect(await panel.locator('[data-testid="span-attributes"]').textContent()).toContain(
      'gen_ai.request.model',
    )
    expect(await panel.locator('[data-testid="span-resource"]').textContent()).toContain('research-svc')
    expect(page.url()).toContain(`span=${sent.llmSpanId}`)

    const decisions = page.locator('[data-testid="trace-decisions"] tbody tr')
    await expect.poll(() => decisions.count()).toBe(2)
    await expect
      .poll(() =>
        page.locator('[data-testid="trace-decisions"] [data-testid="entry-inclusion"]').allTextContents(),
      )
      .toEqual([
        expect.stringMatching(/^included in checkpoint 2 \(goblin\/goblin, signed by goblin\)$/),
        expect.stringMatching(/^included in checkpoint 2 /),
      ])
    const signatures = await page
      .locator('[data-testid="trace-decisions"] [data-testid="entry-signature"]')
      .allTextContents()
    expect(signatures.every((s) => s.startsWith('valid (goblin+'))).toBe(true)
    // Stamped on the calendar, not yet in a Bitcoin block: what `audit verify` (offline) says of it.
    expect(
      await page.locator('[data-testid="trace-decisions"] [data-testid="entry-anchor"]').allTextContents(),
    ).toEqual(['OpenTimestamps pending', 'OpenTimestamps pending'])
    expect(await decisions.first().textContent()).toContain('deny')
    await page.screenshot({ path: join(SCREENSHOTS, 'console-trace.png') })
  })

  it('opens a trace by a short id, and shows the failing span in the panel', async () => {
    await page.goto(`${url}/console/#/trace/${sent.traceId.slice(0, 8)}`)
    await page.locator('[data-testid="waterfall"]').waitFor()
    expect(await page.textContent('[data-testid="trace-id"]')).toBe(sent.traceId)
    await page.locator('.span-row.has-error').click()
    expect(await page.textContent('[data-testid="span-status"]')).toBe('error: refused by policy')
    expect(await page.textContent('[data-testid="span-panel"]')).toContain('policy.decision')
    const link = page.locator('[data-testid="span-link"]')
    expect(await link.locator('a').getAttribute('href')).toBe(
      `#/trace/${sent.traceId}?span=${sent.llmSpanId}`,
    )
    expect(await link.textContent()).toContain('the model asked for it')
    await page.goto(`${url}/console/#/trace/ffffffffffff`)
    await page.locator('[role="alert"]').waitFor()
    expect(await page.textContent('[role="alert"]')).toContain('no stored trace id starts with ffffffffffff')
  })

  it('filters traces, and shows a new trace without a reload', async () => {
    await page.goto(`${url}/console/#/traces?status=error&task=T-7`)
    await page.locator(`[data-trace="${sent.traceId}"]`).waitFor()
    // A bad filter is the collector's 400, said in the page, and the previous search's rows go.
    await page.evaluate(() => {
      ;(globalThis as unknown as { location: { hash: string } }).location.hash =
        '#/traces?status=error&task=T-7&min=soon'
    })
    await page.locator('[role="alert"]').waitFor()
    expect(await page.textContent('[role="alert"]')).toContain('minDuration')
    expect(await page.locator('.trace-row').count()).toBe(0)
    await page.goto(`${url}/console/#/traces?goblin=nobody`)
    await expect.poll(() => page.textContent('[data-testid="trace-count"]')).toBe('0 traces')
    await page.goto(`${url}/console/#/traces?goblin=researcher`)
    await page.locator(`[data-trace="${sent.traceId}"]`).waitFor()
    const second = await sendAgentTrace(1)
    await page.locator(`[data-trace="${second.traceId}"]`).waitFor({ timeout: 15_000 })
    expect(await page.locator(`[data-trace="${second.traceId}"]`).getAttribute('class')).toContain('fresh')
  })

  it('shows the figures of cost report --json and cost check --json', { timeout: 120_000 }, async () => {
    const report = parseJson<{
      total: { usd: number; unknownModelCalls: number }
      rows: Array<{ key: { model: string }; usd: number }>
    }>(await goblin('cost', 'report', '--by', 'model', '--json'))
    const byHour = parseJson<{ rows: Array<{ key: { hour: string }; usd: number }> }>(
      await goblin('cost', 'report', '--by', 'hour', '--json'),
    )
    const check = parseJson<{ envelopes: Array<{ status: string }> }>(await goblin('cost', 'check', '--json'))
    await page.goto(`${url}/console/#/cost`)
    await shownOnce(page.locator('[data-testid="cost-chart"]'), 'the cost chart')
    expect(await page.textContent('[data-testid="cost-total"]')).toBe(formatUsd(report.total.usd))
    for (const row of report.rows)
      expect(
        Number(
          await page
            .locator(`[data-testid="breakdown-model"] tr[data-key="${row.key.model}"] td[data-usd]`)
            .getAttribute('data-usd'),
        ),
      ).toBeCloseTo(row.usd, 9)
    expect(report.total.unknownModelCalls).toBe(2)
    expect(await page.textContent('[data-testid="cost-unpriced"]')).toContain('in-house-llm-7b: 2')
    // The chart's bars are the hours of `cost report --by hour`.
    const bars = await page.locator('[data-testid="cost-chart"] rect').evaluateAll((rects) =>
      rects.map((rect) => {
        const r = rect as unknown as { getAttribute(name: string): string | null }
        return { label: r.getAttribute('data-label'), usd: Number(r.getAttribute('data-usd')) }
      }),
    )
    expect(bars.length).toBeGreaterThanOrEqual(24)
    for (const hour of byHour.rows)
      expect(bars.find((b) => b.label === hour.key.hour)?.usd).toBeCloseTo(hour.usd, 9)
    // The envelopes come from their own request, which may answer after the reports; a failed one shows an
    // alert, whose text is the failure.
    await shownOnce(page.locator('[data-testid="envelopes"], [role="alert"]').first(), 'the cost envelopes')
    expect(
      await page.locator('[role="alert"]').count(),
      String(await page.locator('section').first().textContent()),
    ).toBe(0)
    expect(await page.locator('[data-testid="envelope-status"]').allTextContents()).toEqual(
      check.envelopes.map((e) => expect.stringMatching(new RegExp(`^${e.status}`))),
    )
    expect(check.envelopes.map((e) => e.status)).toEqual(['exceeded', 'ok'])
    await page.screenshot({ path: join(SCREENSHOTS, 'console-cost.png'), fullPage: true })
  })

  it('searches audit entries on the audit page', async () => {
    await page.goto(`${url}/console/#/audit?decision=deny`)
    await page.locator('[data-testid="audit-entries"] tbody tr').first().waitFor()
    expect(await page.textContent('[data-testid="audit-size"]')).toBe('4')
    expect(await page.textContent('[data-testid="audit-verification"]')).toContain(
      'ok, 4 entries, 1 checkpoints',
    )
    expect(await page.textContent('[data-testid="checkpoints"] tbody')).toMatch(
      /^2.*goblin\/goblin[0-9a-f]{16}OpenTimestamps pending$/,
    )
    const rows = page.locator('[data-testid="audit-entries"] tbody tr')
    expect(await rows.count()).toBe(2)
    for (const text of await rows.allTextContents()) expect(text).toContain('deny')
    await rows.locator(`a[href="#/trace/${sent.traceId}"]`).click()
    await page.locator('[data-testid="waterfall"]').waitFor()
  })

  it('verifies with keys pinned in the browser instead of the ones the collector sends', async () => {
    const exported = parseJson<{ keys: Array<{ name: string; vkey: string }> }>(
      await goblin('audit', 'keys', 'export', '--json'),
    )
    const vkey = (name: string) => exported.keys.find((k) => k.name === name)?.vkey as string
    await page.goto(`${url}/console/#/audit?trace_id=${sent.traceId}`)
    const entry = page.locator('[data-testid="audit-entries"] tr[data-index="0"]')
    await expect.poll(() => entry.getAttribute('class')).toBe('verified')
    expect(await page.textContent('[data-testid="key-source"]')).toContain("the collector's keyring")
    const pin = async (text: string) => {
      await page.fill('textarea[name="pin"]', text)
      await page.click('text=pin these keys')
    }
    await pin('goblin+nothex+AAAA')
    expect(await page.textContent('[data-testid="pin-error"]')).toBe('goblin+nothex+AAAA: not name+hash+key')
    // Pinned: only the researcher's key, which signed neither the ledger's entries nor its checkpoint.
    await pin(vkey('researcher'))
    await expect
      .poll(() => page.textContent('[data-testid="key-source"]'))
      .toContain('pinned in this browser')
    await expect
      .poll(() => entry.locator('[data-testid="entry-signature"]').textContent())
      .toBe('unknown-key')
    expect(await entry.locator('[data-testid="entry-inclusion"]').textContent()).toBe(
      'not-included: no signature by a trusted key verifies over the checkpoint',
    )
    await pin(vkey('goblin'))
    await expect.poll(() => entry.getAttribute('class')).toBe('verified')
    expect(await page.locator('[data-testid="trusted-keys"] li').allTextContents()).toEqual([
      vkey('goblin').split('+').slice(0, 2).join('+'),
    ])
    await page.click("text=unpin: use the collector's keyring")
    await expect
      .poll(() => page.textContent('[data-testid="key-source"]'))
      .toContain("the collector's keyring")
  })

  it('shows a tampered entry failing verification in the page', async () => {
    const log = join(home.path, 'audit', 'log.jsonl')
    const lines = readFileSync(log, 'utf8').split('\n')
    // Entry 1 (seq 1), the `deny` of the first trace, rewritten to `allow` by someone with the disk.
    expect(lines[1]).toContain('"decision":"deny"')
    lines[1] = (lines[1] as string).replace('"decision":"deny"', '"decision":"allow"')
    writeFileSync(log, lines.join('\n'))
    // A fresh load: the page has no verdicts of before the edit.
    await page.goto('about:blank')
    await page.goto(`${url}/console/#/audit?trace_id=${sent.traceId}`)
    const tampered = page.locator('[data-testid="audit-entries"] tr[data-index="1"]')
    await expect.poll(() => tampered.getAttribute('class')).toBe('failed')
    expect(await tampered.locator('[data-testid="entry-signature"]').textContent()).toBe('invalid')
    expect(await tampered.locator('[data-testid="entry-inclusion"]').textContent()).toMatch(
      /^not-included: the entry and proof lead to root [0-9a-f]{16}…, the checkpoint says [0-9a-f]{16}…$/,
    )
    // The untouched entry's own signature still holds, but its proof runs through the edited leaf: the
    // log no longer matches what the checkpoint signed, so nothing in it can be proven included.
    const untouched = page.locator('[data-testid="audit-entries"] tr[data-index="0"]')
    await expect
      .poll(() => untouched.locator('[data-testid="entry-signature"]').textContent())
      .toMatch(/^valid \(goblin\+/)
    expect(await untouched.locator('[data-testid="entry-inclusion"]').textContent()).toMatch(
      /^not-included: /,
    )
    expect(await page.textContent('[data-testid="audit-verification"]')).toMatch(/FAILED: \d+ problems/)
    await page.screenshot({ path: join(SCREENSHOTS, 'console-audit-tampered.png') })
  })
})
