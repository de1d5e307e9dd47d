import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa, type ResultPromise } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { privateKeyPath } from '../../../src/audit/keyring.js'
import { auditEmitter } from '../../../src/telemetry/audit-emitter.js'
import { GOBLIN_BIN, parseJson, runGoblin, tempDir } from '../../helpers/cli.js'

const home = tempDir()
const project = tempDir()
const env = { GOBLIN_HOME: home.path, NO_COLOR: '1', CI: 'true' }
const goblin = (...args: string[]) => runGoblin(args, { cwd: project.path, env })
const children: ResultPromise[] = []

/** Starts the built CLI in the background and resolves once a stdout line matches. */
function startGoblin(args: string[], ready: RegExp) {
  const child = execa(process.execPath, [GOBLIN_BIN, ...args], { cwd: project.path, env, reject: false })
  children.push(child)
  let out = ''
  const waitFor = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(out)
        if (match) resolve(match[0])
      }
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        check()
      })
      child.on('exit', () => reject(new Error(`goblin ${args.join(' ')} exited:\n${out}`)))
      check()
    })
  return { child, first: waitFor(ready), waitFor }
}

beforeAll(async () => {
  writeFileSync(join(project.path, 'goblin.config.json'), JSON.stringify({ audit: { key: 'goblin' } }))
  expect((await goblin('audit', 'keygen')).exitCode).toBe(0)
  expect((await goblin('audit', 'keygen', '--name', 'researcher')).exitCode).toBe(0)
}, 180_000)
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  home.cleanup()
  project.cleanup()
})

describe('the aggregator and scheduled checkpoints, end to end', { timeout: 180_000 }, () => {
  it('collector serve --audit appends envelopes from auditEmitter; checkpoint --every seals them; verify passes', async () => {
    const collector = startGoblin(
      ['collector', 'serve', '--port', '0', '--audit', '--json'],
      /"url":"(http:[^"]+)"/,
    )
    const url = /http:[^"]+/.exec(await collector.first)?.[0] as string
    const emitter = auditEmitter({
      goblinId: 'researcher',
      keyFile: privateKeyPath(join(home.path, 'keys'), 'researcher'),
      endpoint: url,
    })
    await emitter.emit({ action: 'tool.call', decision: 'allow' })

    const scheduler = startGoblin(['audit', 'checkpoint', '--every', '1s'], /checkpoint at size 1:/)
    await scheduler.first
    await emitter.emit({ action: 'tool.call', decision: 'deny' })
    await scheduler.waitFor(/checkpoint at size 2:/)

    scheduler.child.kill('SIGTERM')
    collector.child.kill('SIGTERM')
    expect((await scheduler.child).exitCode).toBe(0)
    expect((await collector.child).exitCode).toBe(0)

    const verify = await goblin('audit', 'verify', '--json')
    expect(verify.exitCode, verify.stderr).toBe(0)
    expect(parseJson<{ entries: number; checkpoints: number }>(verify)).toMatchObject({
      entries: 2,
      checkpoints: 2,
    })
  })

  it('a bad --every is a usage error', async () => {
    const run = await goblin('audit', 'checkpoint', '--every', 'soon')
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('--every "soon": not a duration')
  })
})
