import { describe, expect, it } from 'vitest'
import { buildCostReport, type CostReport, parseGroupKeys } from '../../../src/cost/cost-report.js'
import { costReportCsv } from '../../../src/cost/report-csv.js'
import { tempDir } from '../../helpers/cli.js'

describe('parseGroupKeys', () => {
  it('takes repeated and comma-separated keys, in order, once each', () => {
    expect(parseGroupKeys(['model,goblin', 'day', 'model'])).toEqual(['model', 'goblin', 'day'])
    expect(parseGroupKeys(undefined)).toEqual(['model'])
  })
  it('rejects an unknown key with exit 2', () => {
    expect(() => parseGroupKeys(['model,colour'])).toThrowError(
      expect.objectContaining({ code: 'COST_BAD_GROUP', exit: 2 }),
    )
  })
})

describe('buildCostReport', () => {
  it('rejects a --since that is not before --until', async () => {
    const home = tempDir()
    try {
      await expect(
        buildCostReport({
          home: home.path,
          since: '2026-11-02',
          until: '2026-11-01',
          now: new Date('2026-11-26T00:00:00Z'),
        }),
      ).rejects.toMatchObject({ code: 'COST_BAD_RANGE', exit: 2 })
      const empty = await buildCostReport({ home: home.path, now: new Date('2026-11-26T00:00:00Z') })
      expect(empty).toMatchObject({
        since: '2026-11-25T00:00:00.000Z',
        until: '2026-11-26T00:00:00.000Z',
        rows: [],
      })
      expect(empty.notes[0]).toContain('no span store yet')
    } finally {
      home.cleanup()
    }
  })
})

describe('costReportCsv', () => {
  it('quotes commas and quotes, defuses spreadsheet formulas, and leaves unknown counts empty', () => {
    const row = {
      usd: 1.5,
      calls: null,
      inputTokens: null,
      outputTokens: null,
      cachedInputTokens: null,
      unknownModelCalls: 0,
    }
    const report = {
      by: ['goblin', 'task'],
      rows: [{ ...row, key: { goblin: 'a,b', task: '=HYPERLINK("x")' } }],
    } as unknown as CostReport
    expect(costReportCsv(report)).toBe(
      'goblin,task,usd,calls,input_tokens,output_tokens,cached_input_tokens,unknown_model_calls\r\n"a,b","\'=HYPERLINK(""x"")",1.5,,,,,0\r\n',
    )
  })
})
