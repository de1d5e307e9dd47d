import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, describe, expect, it } from 'vitest'
import { REPO_ROOT, tempDir } from '../../helpers/cli.js'

/**
 * Runs the goblin_audit (python/) pytest suite as part of `npm test`. The interpreter is Debian's
 * /usr/bin/python3 (or $GOBLIN_PYTHON): `python3` on PATH may be another one (pyenv) without the Debian
 * packages the suite needs, which .ci/run installs: python3-pytest, python3-cryptography, python3-fastapi,
 * python3-uvicorn. The suite drives the built CLI with this Node (GOBLIN_NODE).
 */

const PYTHON = process.env.GOBLIN_PYTHON ?? '/usr/bin/python3'
const PACKAGES = 'python3-pytest python3-cryptography python3-fastapi python3-uvicorn'
const work = tempDir('goblin-pytest-')
afterAll(() => work.cleanup())

describe('goblin_audit (Python)', { timeout: 600_000 }, () => {
  it('has its interpreter and packages', async () => {
    expect(existsSync(PYTHON), `${PYTHON} is missing: apt-get install python3 ${PACKAGES}`).toBe(true)
    const imports = await execa(PYTHON, ['-c', 'import pytest, cryptography, fastapi, uvicorn'], {
      reject: false,
    })
    expect(imports.exitCode, `${imports.stderr}\nInstall them: apt-get install ${PACKAGES}`).toBe(0)
  })

  it('passes its pytest suite, none skipped', async () => {
    const junit = join(work.path, 'junit.xml')
    const run = await execa(
      PYTHON,
      ['-m', 'pytest', '-q', `--junitxml=${junit}`, `--basetemp=${work.path}/t`],
      {
        cwd: join(REPO_ROOT, 'python'),
        env: { GOBLIN_NODE: process.execPath, PYTHONDONTWRITEBYTECODE: '1', NO_COLOR: '1' },
        reject: false,
      },
    )
    expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0)
    const suite = /<testsuite [^>]*>/.exec(readFileSync(junit, 'utf8'))?.[0] ?? ''
    const count = (name: string) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(suite)?.[1])
    expect({ failures: count('failures'), errors: count('errors'), skipped: count('skipped') }).toEqual({
      failures: 0,
      errors: 0,
      skipped: 0,
    })
    expect(count('tests')).toBeGreaterThanOrEqual(80)
  })
})
