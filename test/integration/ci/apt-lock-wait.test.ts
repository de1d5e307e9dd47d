import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa, type ResultPromise } from 'execa'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { REPO_ROOT, tempDir } from '../../helpers/cli.js'

const WAITING = join(REPO_ROOT, '.ci/apt-get-waiting')

/**
 * `.ci/run`'s apt-get wrapper against the real apt-get of the machine (Debian), on an apt state of its own
 * (temporary lists, cache and dpkg admin directories, no sources: nothing is downloaded or installed). The
 * lock is held the way another apt holds it: fcntl(F_SETLK) on the same lock file, from a Python process.
 */
describe('.ci/apt-get-waiting', { timeout: 120_000 }, () => {
  let dir: ReturnType<typeof tempDir>
  let holder: ResultPromise | undefined
  let aptOptions: string[]

  beforeEach(() => {
    dir = tempDir('goblin-apt-')
    for (const sub of ['lists/partial', 'cache', 'parts', 'dpkg'])
      mkdirSync(join(dir.path, sub), { recursive: true })
    writeFileSync(join(dir.path, 'sources.list'), '')
    writeFileSync(join(dir.path, 'dpkg/status'), readFileSync('/var/lib/dpkg/status'))
    aptOptions = [
      ['Dir::State::Lists', join(dir.path, 'lists')],
      ['Dir::Etc::SourceList', join(dir.path, 'sources.list')],
      ['Dir::Etc::SourceParts', join(dir.path, 'parts')],
      ['Dir::Cache', join(dir.path, 'cache')],
      ['Dir::State::status', join(dir.path, 'dpkg/status')],
      ['APT::Sandbox::User', 'root'],
    ].flatMap(([key, value]) => ['-o', `${key}=${value}`])
  })

  afterEach(async () => {
    holder?.stdin?.end()
    await holder
    holder = undefined
    dir.cleanup()
  })

  /** Holds an fcntl write lock on `file` until its stdin closes; resolves once the lock is taken. */
  async function holdLock(file: string): Promise<void> {
    const script =
      'import fcntl, os, sys\nfd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o640)\nfcntl.lockf(fd, fcntl.LOCK_EX)\nprint("locked", flush=True)\nsys.stdin.read()\n'
    holder = execa('python3', ['-c', script, file], { reject: false })
    await new Promise<void>((resolve) => holder?.stdout?.on('data', () => resolve()))
  }

  /** Starts the wrapper; resolves its result, releasing the lock once it says (on stdout or stderr) it waits. */
  async function runWaiting(args: string[], saysItWaits: RegExp) {
    const run = execa(WAITING, [...aptOptions, ...args], { reject: false, env: { APT_LOCK_TIMEOUT: '90' } })
    let output = ''
    const watch = (chunk: Buffer) => {
      output += chunk.toString()
      if (saysItWaits.test(output)) holder?.stdin?.end()
    }
    run.stdout?.on('data', watch)
    run.stderr?.on('data', watch)
    return run
  }

  it('apt-get update fails at once on a held lists lock, and the wrapper waits for it instead', async () => {
    await holdLock(join(dir.path, 'lists/lock'))
    const bare = await execa('apt-get', [...aptOptions, '-o', 'DPkg::Lock::Timeout=90', 'update'], {
      reject: false,
    })
    // apt-get's own lock timeout does not cover the lists lock: this is what the wrapper exists for.
    expect(bare.exitCode).toBe(100)
    expect(bare.stderr).toMatch(/Could not get lock .*lists\/lock/)

    const waited = await runWaiting(['update'], /waiting for another package manager/)
    expect(waited.stderr).toContain(`waiting for another package manager to release ${dir.path}/lists/lock`)
    expect(waited.exitCode, waited.stderr).toBe(0)
  })

  it('apt-get install through the wrapper waits on a held dpkg lock', async () => {
    await holdLock(join(dir.path, 'dpkg/lock-frontend'))
    const bare = await execa('apt-get', [...aptOptions, 'install'], { reject: false })
    expect(bare.exitCode).toBe(100)
    expect(bare.stderr).toMatch(/Could not get lock .*lock-frontend/)

    // apt's own wait (DPkg::Lock::Timeout), which it reports on stdout.
    const waited = await runWaiting(['install'], /Waiting for cache lock/)
    expect(waited.stdout).toMatch(/Waiting for cache lock: Could not get lock .*lock-frontend/)
    expect(waited.exitCode, waited.stderr).toBe(0)
    expect(waited.stdout).toMatch(/0 newly installed/)
  })

  it('.ci/run calls apt-get only through the wrapper', () => {
    const lines = readFileSync(join(REPO_ROOT, '.ci/run'), 'utf8')
      .split('\n')
      .filter((line) => /\bapt-get\b/.test(line) && !line.trimStart().startsWith('#'))
    expect(lines.length).toBeGreaterThanOrEqual(2)
    for (const line of lines) expect(line).toMatch(/^\s*\.ci\/apt-get-waiting /)
  })
})
