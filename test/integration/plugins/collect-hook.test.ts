import { join } from 'node:path'
import { Config } from '@oclif/core'
import { describe, expect, it } from 'vitest'
import {
  COST_PRICES_HOOK,
  costPricesAnswer,
  DOCTOR_CHECKS_HOOK,
  doctorChecksAnswer,
  STACK_SERVICES_HOOK,
  stackServicesAnswer,
} from '../../../src/plugins/contracts.js'
import { abandonedHookCount, collectHook } from '../../../src/plugins/hook-runner.js'
import { REPO_ROOT } from '../../helpers/cli.js'

// collectHook against real oclif: each fixture plugin is loaded by @oclif/core's Config and its hook files
// run through Config.runHook, in this process, exactly as goblin's commands run them.
const fixture = (kind: string) => Config.load(join(REPO_ROOT, 'test/fixtures/plugins', kind))

describe('collectHook with real oclif plugins', () => {
  it('names a plugin whose hook throws, with its message', async () => {
    const collected = await collectHook(await fixture('throws'), DOCTOR_CHECKS_HOOK, doctorChecksAnswer, {
      env: {},
    })
    expect(collected).toEqual({
      results: [],
      problems: [
        {
          plugin: 'goblin-plugin-throws',
          hook: DOCTOR_CHECKS_HOOK,
          kind: 'threw',
          message: 'threw: goblin-plugin-throws broke in goblin:doctor-checks',
        },
      ],
    })
  })

  it('recognises oclif’s time-out and counts the hook as abandoned', async () => {
    const before = abandonedHookCount()
    const collected = await collectHook(
      await fixture('hangs'),
      STACK_SERVICES_HOOK,
      stackServicesAnswer,
      {},
      200,
    )
    expect(collected.problems).toEqual([
      {
        plugin: 'goblin-plugin-hangs',
        hook: STACK_SERVICES_HOOK,
        kind: 'timeout',
        message: 'did not answer within 200 ms',
      },
    ])
    expect(abandonedHookCount()).toBe(before + 1)
  })

  it('rejects an answer of an unknown contract version', async () => {
    const collected = await collectHook(await fixture('malformed'), COST_PRICES_HOOK, costPricesAnswer)
    expect(collected.results).toEqual([])
    expect(collected.problems).toEqual([
      expect.objectContaining({
        plugin: 'goblin-plugin-malformed',
        kind: 'malformed',
        message: expect.stringContaining('apiVersion'),
      }),
    ])
  })

  it('returns nothing and no problem when no plugin implements the hook', async () => {
    const collected = await collectHook(await fixture('throws'), 'goblin:no-such-hook', doctorChecksAnswer)
    expect(collected).toEqual({ results: [], problems: [] })
  })
})
