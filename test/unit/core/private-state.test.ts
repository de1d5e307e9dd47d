import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { writeFileDurably } from '../../../src/audit/durable-file.js'
import { openSpanStore } from '../../../src/collector/span-store.js'
import { createExclusive, ensureSecretDir } from '../../../src/core/private-state.js'
import { tempDir } from '../../helpers/cli.js'
import { makeSpan, spanIdOf, traceIdOf } from '../collector/make-spans.js'

describe('private state', () => {
  let dir: ReturnType<typeof tempDir>
  beforeEach(() => {
    dir = tempDir('goblin-private-unit-')
  })
  afterEach(() => dir.cleanup())

  it('createExclusive fails on a planted link instead of writing through it', () => {
    const target = join(dir.path, 'target')
    const link = join(dir.path, 'link')
    symlinkSync(target, link)
    expect(() => createExclusive(link)).toThrowError(expect.objectContaining({ code: 'EEXIST' }))
    expect(existsSync(target)).toBe(false)
    writeFileSync(target, 'mine')
    expect(() => createExclusive(link)).toThrowError(expect.objectContaining({ code: 'EEXIST' }))
    expect(readFileSync(target, 'utf8')).toBe('mine')
  })

  it('writeFileDurably replaces a link at its path and leaves the link target alone', () => {
    const target = join(dir.path, 'target')
    writeFileSync(target, 'mine')
    const path = join(dir.path, 'state.json')
    symlinkSync(target, path)
    writeFileDurably(path, 'new')
    expect(lstatSync(path).isFile()).toBe(true)
    expect(lstatSync(path).mode & 0o777).toBe(0o600)
    expect(readFileSync(target, 'utf8')).toBe('mine')
  })

  it('ensureSecretDir makes a 0700 directory, and refuses one others can write', () => {
    const keys = join(dir.path, 'a', 'keys')
    ensureSecretDir(keys, 'the keys directory')
    expect(lstatSync(keys).mode & 0o777).toBe(0o700)
    const shared = join(dir.path, 'shared')
    mkdirSync(shared)
    chmodSync(shared, 0o775)
    expect(() => ensureSecretDir(shared, 'the keys directory')).toThrowError(
      expect.objectContaining({ code: 'UNSAFE_SECRET_DIR', exit: 2 }),
    )
  })

  it('the span store is private: its directory 0700, spans.db and its WAL 0600', async () => {
    const spans = join(dir.path, 'spans')
    const store = await openSpanStore({ dir: spans })
    store.ingest([makeSpan({ traceId: traceIdOf(1), spanId: spanIdOf(1) })])
    expect(lstatSync(spans).mode & 0o777).toBe(0o700)
    expect(lstatSync(join(spans, 'spans.db')).mode & 0o777).toBe(0o600)
    expect(lstatSync(join(spans, 'spans.db-wal')).mode & 0o777).toBe(0o600)
    store.close()
  })
})
