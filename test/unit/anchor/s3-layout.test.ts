import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fullKey, parseS3Url } from '../../../src/anchor/s3-client.js'
import { objectKind, restoreLedger } from '../../../src/anchor/s3-layout.js'
import { tempDir } from '../../helpers/cli.js'

describe('the bucket layout', () => {
  it('names what goblin writes and nothing else', () => {
    expect(objectKind('log/000000000000-000000000003.jsonl')).toBe('segment')
    expect(objectKind('checkpoints/3.note')).toBe('checkpoint')
    expect(objectKind('checkpoints/3.ots')).toBe('proof')
    expect(objectKind('checkpoints/3.anchor.json')).toBe('receipt')
    expect(objectKind('checkpoints/03.note')).toBeNull()
    expect(objectKind('notes.txt')).toBeNull()
    expect(objectKind('tile/0/x001/000.p/3')).toBe('tile')
    expect(objectKind('tile/entries/000')).toBe('tile')
    expect(objectKind('checkpoint')).toBe('latest')
    expect(objectKind('tile/0/../../keys/keyring.json')).toBeNull()
  })

  it('restores the log from its segments in order', () => {
    const dir = tempDir()
    try {
      restoreLedger(
        [
          { key: 'log/000000000002-000000000003.jsonl', body: Buffer.from('c\n') },
          { key: 'log/000000000000-000000000002.jsonl', body: Buffer.from('a\nb\n') },
          { key: 'checkpoints/3.note', body: Buffer.from('note') },
        ],
        dir.path,
        's3://b/p',
      )
      expect(readFileSync(join(dir.path, 'log.jsonl'), 'utf8')).toBe('a\nb\nc\n')
      expect(readFileSync(join(dir.path, 'checkpoints/3.note'), 'utf8')).toBe('note')
    } finally {
      dir.cleanup()
    }
  })

  it('a missing segment is an error naming it', () => {
    const dir = tempDir()
    try {
      expect(() =>
        restoreLedger(
          [{ key: 'log/000000000002-000000000003.jsonl', body: Buffer.from('c\n') }],
          dir.path,
          's3://b/p',
        ),
      ).toThrow(
        /s3:\/\/b\/p: log\/000000000002-000000000003\.jsonl starts at line 2, but the segments before it end at 0/,
      )
    } finally {
      dir.cleanup()
    }
  })

  it('parses s3:// URLs', () => {
    expect(parseS3Url('s3://bucket/a/b/')).toEqual({ bucket: 'bucket', prefix: 'a/b' })
    expect(parseS3Url('s3://bucket')).toEqual({ bucket: 'bucket', prefix: '' })
    expect(fullKey('', 'k')).toBe('k')
    expect(() => parseS3Url('https://bucket')).toThrow(/is not an s3:\/\/BUCKET\/PREFIX URL/)
  })
})
