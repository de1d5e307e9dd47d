import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Config } from '@oclif/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ERROR_CODES } from '../../../src/core/errors.js'
import { type GoblinRun, REPO_ROOT, runGoblin, tempDir } from '../../helpers/cli.js'

// The conventions every command follows, checked over the whole command set rather than one command at a
// time: help text (from the committed manifest), -h, and the --json contract (one JSON document on stdout
// for every outcome, errors always {"error": {code, message, hint, exit}} with the process's exit code).

interface ManifestCommand {
  id: string
  summary?: string
  description?: string
  examples?: Array<string | { command: string }>
  hidden?: boolean
}

const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, ManifestCommand>
}
const pjson = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  oclif: { topics: Record<string, { description: string }> }
}
const ownCommands = Object.values(manifest.commands).filter((c) => !c.hidden)
const spaced = (id: string) => id.replaceAll(':', ' ')

const home = tempDir('goblin-conventions-')
const env = { GOBLIN_HOME: home.path, NO_COLOR: '1' }
/** Every visible command, goblin's and the plugins' it ships with (plugins, autocomplete, help). */
let allCommands: string[] = []
let topics: string[] = []

beforeAll(async () => {
  const config = await Config.load(REPO_ROOT)
  allCommands = config.commands.filter((c) => !c.hidden).map((c) => c.id)
  topics = config.topics.filter((t) => !t.hidden).map((t) => t.name)
})
afterAll(() => home.cleanup())

/** Runs `args` for each item, a few processes at a time (the machine is shared). */
async function runAll<T>(items: T[], args: (item: T) => string[], extraEnv = {}): Promise<Map<T, GoblinRun>> {
  const results = new Map<T, GoblinRun>()
  const queue = [...items]
  await Promise.all(
    Array.from({ length: 3 }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift())
        results.set(item, await runGoblin(args(item), { env: { ...env, ...extraEnv } }))
    }),
  )
  return results
}

/** The one error document, or a failure naming the command and what it printed instead. */
function errorDocument(
  what: string,
  run: GoblinRun,
): { code: string; message: string; hint: unknown; exit: number } {
  let doc: { error?: { code: string; message: string; hint: unknown; exit: number } }
  try {
    doc = JSON.parse(run.stdout)
  } catch {
    throw new Error(`${what}: stdout is not one JSON document: ${JSON.stringify(run.stdout.slice(0, 300))}`)
  }
  expect(Object.keys(doc), what).toEqual(['error'])
  expect(Object.keys(doc.error ?? {}).sort(), what).toEqual(['code', 'exit', 'hint', 'message'])
  const error = doc.error as { code: string; message: string; hint: unknown; exit: number }
  expect(error.exit, `${what}: the document's exit is the process's`).toBe(run.exitCode)
  expect(Object.keys(ERROR_CODES), `${what}: ${error.code} is a documented code`).toContain(error.code)
  expect(ERROR_CODES[error.code as keyof typeof ERROR_CODES], `${what}: ${error.code}'s exit`).toBe(
    error.exit,
  )
  return error
}

describe('help text, from the manifest', () => {
  it('gives every command a summary and examples that run that command', () => {
    for (const c of ownCommands) {
      expect(c.summary?.trim(), `${c.id} has a summary`).toBeTruthy()
      expect(c.examples?.length ?? 0, `${c.id} has examples`).toBeGreaterThan(0)
      for (const example of c.examples ?? []) {
        const text = typeof example === 'string' ? example : example.command
        expect(text, `an example of ${c.id}`).toContain(`<%= config.bin %> ${spaced(c.id)}`)
      }
    }
  })

  it('describes every topic in its own words, not in one of its commands’ (stale topic text)', () => {
    const ids = ownCommands.map((c) => c.id)
    const topicNames = new Set(
      ids.flatMap((id) =>
        id
          .split(':')
          .slice(0, -1)
          .map((_, i, parts) => parts.slice(0, i + 1).join(':')),
      ),
    )
    for (const topic of topicNames) {
      const description = pjson.oclif.topics[topic]?.description
      expect(description, `topic ${topic} is described in package.json`).toBeTruthy()
      for (const c of ownCommands.filter((x) => x.id.startsWith(`${topic}:`)))
        expect(description, `topic ${topic} is not described as its command ${c.id}`).not.toBe(c.summary)
    }
  })
})

describe('-h and --help', () => {
  it('prints help (exit 0) for goblin, every topic and every command', async () => {
    const targets = ['', ...topics, ...allCommands]
    const runs = await runAll(targets, (id) => [...(id ? id.split(':') : []), '-h'])
    for (const [id, run] of runs) {
      expect(run.exitCode, `goblin ${spaced(id)} -h: ${run.stderr}`).toBe(0)
      expect(run.stdout, `goblin ${spaced(id)} -h`).toMatch(/USAGE\n {2}\$ goblin/)
    }
  }, 300_000)
})

describe('the --json contract', () => {
  it('answers a bad flag with one usage-error document, for every command (--json)', async () => {
    const runs = await runAll(allCommands, (id) => [...id.split(':'), '--no-such-flag', '--json'])
    for (const [id, run] of runs) {
      const error = errorDocument(`goblin ${spaced(id)} --no-such-flag --json`, run)
      expect(error.code, spaced(id)).toBe('USAGE')
      // A plugin's command without JSON output says so (by its own name, not an alias's) before its flags.
      expect(error.message).toMatch(/--no-such-flag|^`goblin [a-z ]+` has no JSON output$/)
    }
  }, 300_000)

  it('does the same under GOBLIN_CONTENT_TYPE=json, oclif’s own switch', async () => {
    const runs = await runAll(allCommands, (id) => [...id.split(':'), '--no-such-flag'], {
      GOBLIN_CONTENT_TYPE: 'json',
    })
    for (const [id, run] of runs)
      expect(errorDocument(`GOBLIN_CONTENT_TYPE=json goblin ${spaced(id)}`, run).exit).toBe(2)
  }, 300_000)

  it('answers a missing argument with every line of oclif’s message', async () => {
    const run = await runGoblin(['trace', 'show', '--json'], { env })
    const error = errorDocument('trace show --json', run)
    expect(error.message).toMatch(/^Missing 1 required arg:\nid {2}trace id/)
  })

  it('keeps a flag’s whole parse error, not its first line', async () => {
    const run = await runGoblin(
      ['trace', 'show', '0af7651916cd43dd8448eb211c80319c', '--depth', '-1', '--json'],
      {
        env,
      },
    )
    const error = errorDocument('trace show --depth -1', run)
    expect(error.message).toMatch(/^Parsing --depth\n {2}Expected an integer greater than or equal to 0/)
    const plain = await runGoblin(['trace', 'show', '0af7651916cd43dd8448eb211c80319c', '--depth', '-1'], {
      env,
    })
    expect(plain.stdout).toBe('')
    expect(plain.stderr).toContain('Expected an integer greater than or equal to 0 but received: -1')
  })

  it('answers an unknown command with "did you mean", in the user’s spelling, exit 2', async () => {
    const run = await runGoblin(['trac', 'list', '--json'], { env })
    const error = errorDocument('trac list --json', run)
    expect(error).toMatchObject({ code: 'UNKNOWN_COMMAND', exit: 2 })
    expect(error.message).toBe(
      '`goblin trac list` is not a goblin command. Did you mean `goblin trace list`?',
    )
    const plain = await runGoblin(['trace', 'lst'], { env })
    expect(plain.exitCode).toBe(2)
    expect(plain.stdout).toBe('')
    expect(plain.stderr).toContain('Did you mean `goblin trace list`?')
    const nothing = await runGoblin(['frobnicate'], { env: { ...env, GOBLIN_CONTENT_TYPE: 'json' } })
    expect(errorDocument('frobnicate', nothing).message).toBe('`goblin frobnicate` is not a goblin command.')
  })

  it('answers a topic, or no command at all, with a usage error rather than help text', async () => {
    const topic = await runGoblin(['audit', 'keys', '--json'], { env })
    expect(errorDocument('audit keys --json', topic).hint).toContain('goblin audit keys list')
    expect(errorDocument('--json', await runGoblin(['--json'], { env })).code).toBe('UNKNOWN_COMMAND')
    // Without --json a topic still shows its help.
    const help = await runGoblin(['audit', 'keys'], { env })
    expect(help.exitCode).toBe(0)
    expect(help.stdout).toContain('audit keys rotate')
  })

  it('answers plugin management failures in the same shape (exit 2 for a plugin that is not there)', async () => {
    const inspect = await runGoblin(['plugins', 'inspect', 'goblin-plugin-nope', '--json'], { env })
    expect(errorDocument('plugins inspect --json', inspect)).toMatchObject({
      code: 'PLUGINS_FAILED',
      exit: 2,
    })
    const uninstall = await runGoblin(['plugins', 'uninstall', 'goblin-plugin-nope', '--json'], { env })
    expect(errorDocument('plugins uninstall --json', uninstall).exit).toBe(2)
  })

  it('refuses to run a plugin command that has no JSON output under GOBLIN_CONTENT_TYPE=json', async () => {
    const link = await runGoblin(['plugins', 'link', home.path], {
      env: { ...env, GOBLIN_CONTENT_TYPE: 'json' },
    })
    expect(errorDocument('GOBLIN_CONTENT_TYPE=json plugins link', link)).toMatchObject({
      code: 'USAGE',
      message: '`goblin plugins link` has no JSON output',
      exit: 2,
    })
    // Without it the command runs as oclif's plugin-plugins wrote it.
    const plain = await runGoblin(['plugins', 'link', join(home.path, 'nope')], { env })
    expect(plain.exitCode).not.toBe(0)
    expect(plain.stdout).not.toContain('"error"')
  })
})
