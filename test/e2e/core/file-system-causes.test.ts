import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseJson, runGoblin, tempDir } from '../../helpers/cli.js'

// A directory where goblin needs a file (or a file where it needs a directory) is the user's to fix:
// exit 2 naming the path, never INTERNAL (exit 1, "report it").
describe('file-system problems are bad input, named by path', () => {
  let home: ReturnType<typeof tempDir>
  beforeEach(() => {
    home = tempDir('goblin-fs-causes-')
  })
  afterEach(() => home.cleanup())

  const expectUsage = async (args: string[], goblinHome: string, code: string, path: string) => {
    const run = await runGoblin([...args, '--json'], { env: { GOBLIN_HOME: goblinHome } })
    expect(run.exitCode, run.stdout + run.stderr).toBe(2)
    const { error } = parseJson<{ error: { code: string; message: string } }>(run)
    expect(error.code).toBe(code)
    expect(error.message.startsWith(`${path}: `), error.message).toBe(true)
  }

  it('keyring.json is a directory', async () => {
    const keyring = join(home.path, 'keys', 'keyring.json')
    mkdirSync(keyring, { recursive: true })
    await expectUsage(['audit', 'keygen'], home.path, 'FS_IS_DIRECTORY', keyring)
  })

  it('the ledger file is a directory', async () => {
    expect((await runGoblin(['audit', 'keygen'], { env: { GOBLIN_HOME: home.path } })).exitCode).toBe(0)
    const ledger = join(home.path, 'audit', 'log.jsonl')
    mkdirSync(ledger, { recursive: true })
    await expectUsage(
      ['audit', 'sign', '--goblin', 'g', '--action', 'a', '--decision', 'allow'],
      home.path,
      'FS_IS_DIRECTORY',
      ledger,
    )
  })

  it('GOBLIN_HOME is a file', async () => {
    const file = join(home.path, 'not-a-directory')
    writeFileSync(file, '')
    await expectUsage(['audit', 'keygen'], file, 'FS_NOT_DIRECTORY', join(file, 'keys'))
  })
})
