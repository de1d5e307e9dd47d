import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterEach, describe, expect, it } from 'vitest'
import { openSpanStore, SPAN_DB_FILE } from '../../../src/collector/span-store.js'
import { GoblinError } from '../../../src/core/errors.js'
import { tempDir } from '../../helpers/cli.js'
import { makeSpan, spanIdOf, traceIdOf } from './make-spans.js'

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

const link = { traceId: traceIdOf(9), spanId: spanIdOf(9), traceState: 'k=v', attributes: { why: 'retry' } }

describe('span links in the store', () => {
  it('keeps a span’s links and reads them back with the trace; a span without links has none', async () => {
    const dir = tempDir()
    cleanups.push(dir.cleanup)
    const store = await openSpanStore({ dir: dir.path })
    store.ingest([
      makeSpan({ traceId: traceIdOf(1), spanId: spanIdOf(1), links: [link] }),
      makeSpan({ traceId: traceIdOf(1), spanId: spanIdOf(2), parentSpanId: spanIdOf(1) }),
    ])
    const spans = store.getTrace(traceIdOf(1))
    expect(spans.find((s) => s.spanId === spanIdOf(1))?.links).toEqual([link])
    expect(spans.find((s) => s.spanId === spanIdOf(2))?.links).toBeUndefined()
    store.close()
  })

  it('a store of schema 4 (no links column) gains the column in place and keeps its spans', async () => {
    const dir = tempDir()
    cleanups.push(dir.cleanup)
    const first = await openSpanStore({ dir: dir.path })
    first.ingest([makeSpan({ traceId: traceIdOf(1), spanId: spanIdOf(1), name: 'old' })])
    first.close()
    // What a goblin of schema 4 left behind.
    const db = new DatabaseSync(join(dir.path, SPAN_DB_FILE))
    db.exec('ALTER TABLE spans DROP COLUMN links; PRAGMA user_version = 4')
    db.close()
    const store = await openSpanStore({ dir: dir.path })
    store.ingest([makeSpan({ traceId: traceIdOf(1), spanId: spanIdOf(2), links: [link] })])
    expect(store.getTrace(traceIdOf(1)).map((s) => [s.name, s.links])).toEqual([
      ['old', undefined],
      ['span', [link]],
    ])
    store.close()
  })
  it('a reader of a schema 4 store is told to let the collector upgrade it, and the file is left as it was', async () => {
    const dir = tempDir()
    cleanups.push(dir.cleanup)
    const first = await openSpanStore({ dir: dir.path })
    first.ingest([makeSpan({ traceId: traceIdOf(1), spanId: spanIdOf(1) })])
    first.close()
    const db = new DatabaseSync(join(dir.path, SPAN_DB_FILE))
    db.exec('ALTER TABLE spans DROP COLUMN links; PRAGMA user_version = 4')
    db.close()
    const error = await openSpanStore({ dir: dir.path, readonly: true }).catch((e: GoblinError) => e)
    expect(error).toBeInstanceOf(GoblinError)
    expect((error as GoblinError).code).toBe('SPAN_STORE_VERSION')
    expect((error as GoblinError).message).toMatch(/schema 4, written by an older goblin/)
    expect((error as GoblinError).hint).toMatch(/upgrades the store in place/)
    const after = new DatabaseSync(join(dir.path, SPAN_DB_FILE), { readOnly: true })
    expect(after.prepare('PRAGMA user_version').get()).toEqual({ user_version: 4 })
    after.close()
  })
})
