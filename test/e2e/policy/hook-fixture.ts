import { randomUUID } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect } from 'vitest'
import type { Envelope } from '../../../src/audit/envelope.js'
import { runGoblin, tempDir } from '../../helpers/cli.js'
import { type ServedCollector, serveCollector } from '../agents/goblin-collector.js'

/**
 * What the coding-agent hook tests share: a GOBLIN_HOME with a signing key and a real `goblin collector
 * serve --audit` on it (started before the file's tests, stopped after), a work directory for the
 * throwaway projects and user homes, and the audit log's entries.
 */
export function hookFixture(workPrefix: string) {
  const home = tempDir()
  const work = tempDir(workPrefix)
  let served: ServedCollector | undefined
  beforeAll(async () => {
    expect((await runGoblin(['audit', 'keygen'], { env: { GOBLIN_HOME: home.path } })).exitCode).toBe(0)
    served = await serveCollector(home.path, ['--audit'])
  }, 120_000)
  afterAll(async () => {
    await served?.stop()
    home.cleanup()
    work.cleanup()
  })
  return {
    env: { GOBLIN_HOME: home.path },
    work: work.path,
    /** The collector's URL (once the file's tests run). */
    collectorUrl: () => (served as ServedCollector).url,
    ledger: () =>
      readFileSync(join(home.path, 'audit', 'log.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Envelope),
    /** A fresh project under the work directory, with goblin.config.json and policies/tools.cedar. */
    project(policies: string): { dir: string; cwd: string } {
      const dir = join(work.path, randomUUID())
      const cwd = join(dir, 'project')
      mkdirSync(join(cwd, 'policies'), { recursive: true })
      writeFileSync(join(cwd, 'goblin.config.json'), '{}')
      writeFileSync(join(cwd, 'policies', 'tools.cedar'), policies)
      return { dir, cwd }
    },
  }
}
