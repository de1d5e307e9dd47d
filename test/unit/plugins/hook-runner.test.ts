import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { abandonedHookCount, collectHook, type HookRunner } from '../../../src/plugins/hook-runner.js'

const answer = () => z.object({ apiVersion: z.literal(1), n: z.number() })

/** A stand-in for oclif's Config.runHook that returns canned per-plugin outcomes and records its call. */
function fakeRunner(
  outcome: Awaited<ReturnType<HookRunner['runHook']>>,
): HookRunner & { calls: unknown[][] } {
  const calls: unknown[][] = []
  return {
    calls,
    async runHook(...args) {
      calls.push(args)
      return outcome
    },
  }
}

describe('collectHook', () => {
  it('keeps valid answers by plugin and asks oclif for a timeout with errors captured', async () => {
    const runner = fakeRunner({
      successes: [{ plugin: { name: 'good' }, result: { apiVersion: 1, n: 2 } }],
      failures: [],
    })
    const collected = await collectHook(runner, 'goblin:x', answer, { stage: 'dev' }, 1234)
    expect(collected).toEqual({ results: [{ plugin: 'good', value: { apiVersion: 1, n: 2 } }], problems: [] })
    expect(runner.calls).toEqual([['goblin:x', { stage: 'dev' }, 1234, true]])
  })

  it('skips plugins that answer undefined without calling them a problem', async () => {
    const runner = fakeRunner({ successes: [{ plugin: { name: 'quiet' }, result: undefined }], failures: [] })
    expect(await collectHook(runner, 'goblin:x', answer)).toEqual({ results: [], problems: [] })
  })

  it('reports a malformed answer by plugin, with the offending field, and keeps the others', async () => {
    const runner = fakeRunner({
      successes: [
        { plugin: { name: 'bad' }, result: { apiVersion: 1, n: 'two' } },
        { plugin: { name: 'future' }, result: { apiVersion: 2, n: 1 } },
        { plugin: { name: 'good' }, result: { apiVersion: 1, n: 1 } },
      ],
      failures: [],
    })
    const collected = await collectHook(runner, 'goblin:x', answer)
    expect(collected.results.map((r) => r.plugin)).toEqual(['good'])
    expect(collected.problems).toEqual([
      {
        plugin: 'bad',
        hook: 'goblin:x',
        kind: 'malformed',
        message: expect.stringMatching(/^answered malformed data at n:/),
      },
      {
        plugin: 'future',
        hook: 'goblin:x',
        kind: 'malformed',
        message: expect.stringMatching(/at apiVersion:/),
      },
    ])
  })

  it('reports throwing and timed-out plugins by name and counts the abandoned ones', async () => {
    const before = abandonedHookCount()
    const runner = fakeRunner({
      successes: [],
      failures: [
        { plugin: { name: 'thrower' }, error: new Error('boom') },
        { plugin: { name: 'sleeper' }, error: new Error('Timed out after 50 ms.') },
      ],
    })
    const collected = await collectHook(runner, 'goblin:x', answer, {}, 50)
    expect(collected.problems).toEqual([
      { plugin: 'thrower', hook: 'goblin:x', kind: 'threw', message: 'threw: boom' },
      { plugin: 'sleeper', hook: 'goblin:x', kind: 'timeout', message: 'did not answer within 50 ms' },
    ])
    expect(abandonedHookCount()).toBe(before + 1)
  })
})
