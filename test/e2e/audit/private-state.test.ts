import {
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  unlinkSync,
} from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseJson, runGoblin, tempDir } from '../../helpers/cli.js'

// A local attacker who can write into goblin's keys/ directory plants a link where the private key goes;
// goblin must never write the key through it. And goblin's state is private: 0700 directories, 0600 files.
const mode = (path: string) => lstatSync(path).mode & 0o777

describe('keys and state under a local attacker', () => {
  let root: ReturnType<typeof tempDir>
  let home: string
  let env: Record<string, string>
  beforeEach(() => {
    root = tempDir('goblin-private-')
    home = join(root.path, 'home') // does not exist yet: goblin creates it
    env = { GOBLIN_HOME: home }
  })
  afterEach(() => root.cleanup())

  const sign = () =>
    runGoblin(['audit', 'sign', '--goblin', 'g', '--action', 'a', '--decision', 'allow', '--json'], { env })

  it('a keys/ directory others can write is refused before any key is written', async () => {
    const keys = join(home, 'keys')
    mkdirSync(keys, { recursive: true })
    chmodSync(keys, 0o777)
    const stolen = join(root.path, 'attacker-owned')
    symlinkSync(stolen, join(keys, 'ci.key'))
    const run = await runGoblin(['audit', 'keygen', '--name', 'ci', '--json'], { env })
    expect(run.exitCode).toBe(2)
    expect(parseJson<{ error: { code: string; message: string } }>(run).error).toMatchObject({
      code: 'UNSAFE_SECRET_DIR',
      message: expect.stringContaining('has mode 0777: others can write to it'),
    })
    expect(existsSync(stolen)).toBe(false)
  })

  it('a link planted at the key path in a private keys/ is replaced, never written through', async () => {
    const keys = join(home, 'keys')
    mkdirSync(keys, { recursive: true, mode: 0o700 })
    const stolen = join(root.path, 'attacker-owned')
    symlinkSync(stolen, join(keys, 'ci.key'))
    const run = await runGoblin(['audit', 'keygen', '--name', 'ci'], { env })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(existsSync(stolen)).toBe(false)
    expect(lstatSync(join(keys, 'ci.key')).isFile()).toBe(true)
    expect(mode(join(keys, 'ci.key'))).toBe(0o600)
  })

  it('a private key others can read, or one behind a link, is refused rather than used', async () => {
    expect((await runGoblin(['audit', 'keygen', '--name', 'ci'], { env })).exitCode).toBe(0)
    const key = join(home, 'keys', 'ci.key')
    chmodSync(key, 0o644)
    const loose = await sign()
    expect(loose.exitCode).toBe(2)
    expect(parseJson<{ error: { code: string; message: string } }>(loose).error).toMatchObject({
      code: 'UNSAFE_SECRET_FILE',
      message: expect.stringContaining('has mode 0644: others can read it'),
    })
    chmodSync(key, 0o600)
    const elsewhere = join(root.path, 'copy.key')
    copyFileSync(key, elsewhere)
    unlinkSync(key)
    symlinkSync(elsewhere, key)
    const linked = await sign()
    expect(linked.exitCode).toBe(2)
    expect(parseJson<{ error: { message: string } }>(linked).error.message).toContain('is a symbolic link')
    expect(existsSync(join(home, 'audit', 'log.jsonl'))).toBe(false)
  })

  it('state is private: 0700 directories, 0600 files (the keyring, the log and checkpoints were 0644)', async () => {
    for (const args of [
      ['audit', 'keygen', '--name', 'ci'],
      ['audit', 'checkpoint'],
    ]) {
      if (args[1] === 'checkpoint') expect((await sign()).exitCode).toBe(0)
      const run = await runGoblin(args, { env })
      expect(run.exitCode, run.stderr).toBe(0)
    }
    const modes = Object.fromEntries(
      [
        '',
        'keys',
        'keys/keyring.json',
        'keys/ci.key',
        'audit',
        'audit/log.jsonl',
        'audit/checkpoints',
        'audit/checkpoints/1.note',
      ].map((p) => [p || 'GOBLIN_HOME', mode(join(home, p)).toString(8)]),
    )
    expect(modes).toEqual({
      GOBLIN_HOME: '700',
      keys: '700',
      'keys/keyring.json': '600',
      'keys/ci.key': '600',
      audit: '700',
      'audit/log.jsonl': '600',
      'audit/checkpoints': '700',
      'audit/checkpoints/1.note': '600',
    })
    // Nothing half-written or planted is left beside them.
    expect(readFileSync(join(home, 'keys', 'keyring.json'), 'utf8')).toContain('"name": "ci"')
  })
})
