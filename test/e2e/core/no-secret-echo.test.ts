import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runGoblin, tempDir } from '../../helpers/cli.js'

// The attack: a private key pasted where a verifier key or a key name belongs, and URLs carrying
// credentials, each given to the built CLI; no output stream may carry the secret back.
const home = tempDir('goblin-secrets-')
const env = { GOBLIN_HOME: home.path }
let skey: string
let seed: string
const PASSWORD = 'hunter2pw'
const TOKEN = 's3cr3ttoken'
const url = (path = '/') => `http://user:${PASSWORD}@127.0.0.1:9${path}?api_key=${TOKEN}`

beforeAll(async () => {
  expect((await runGoblin(['audit', 'keygen', '--name', 'ci'], { env })).exitCode).toBe(0)
  skey = readFileSync(join(home.path, 'keys', 'ci.key'), 'utf8').trim()
  seed = skey.split('+').slice(4).join('+')
})
afterAll(() => home.cleanup())

async function expectNoEcho(args: string[], secrets: string[], exit = 2) {
  for (const json of [false, true]) {
    const run = await runGoblin(json ? [...args, '--json'] : args, { env, timeout: 20_000 })
    const all = run.stdout + run.stderr
    for (const secret of secrets) expect(all, `${args.join(' ')} echoes a secret`).not.toContain(secret)
    expect(run.exitCode, `${args.join(' ')}: ${all}`).toBe(exit)
  }
}

describe('no command echoes a private key given where a public key or a name belongs', () => {
  const cases: Array<[string, () => string[]]> = [
    ['audit verify --key', () => ['audit', 'verify', '--key', skey]],
    ['audit note verify --key', () => ['audit', 'note', 'verify', '--key', skey, '/dev/null']],
    ['audit keys revoke', () => ['audit', 'keys', 'revoke', skey]],
    ['audit keys rotate', () => ['audit', 'keys', 'rotate', skey]],
    ['audit keygen --name', () => ['audit', 'keygen', '--name', skey]],
    [
      'audit sign --key',
      () => ['audit', 'sign', '--key', skey, '--goblin', 'g', '--action', 'a', '--decision', 'd'],
    ],
    ['audit checkpoint --key', () => ['audit', 'checkpoint', '--key', skey]],
    [
      'collector serve --audit-trust',
      () => ['collector', 'serve', '--audit', '--audit-trust', skey, '--port', '0'],
    ],
  ]
  for (const [name, args] of cases)
    it(name, async () => {
      await expectNoEcho(args(), [seed])
    })

  it('says what was wrong when a private key is given as a verifier key', async () => {
    const run = await runGoblin(['audit', 'verify', '--key', skey, '--json'], { env })
    expect(JSON.parse(run.stdout)).toMatchObject({
      error: { code: 'AUDIT_PRIVATE_KEY_GIVEN', exit: 2 },
    })
  })
})

describe('no command echoes the credentials of a URL, and such a URL is bad input (exit 2)', () => {
  const cases: Array<[string, string[]]> = [
    ['trace list --endpoint', ['trace', 'list', '--endpoint', url()]],
    ['trace show --endpoint', ['trace', 'show', 'ab'.repeat(16), '--endpoint', url()]],
    [
      'cost report --prometheus-url',
      ['cost', 'report', '--backend', 'prometheus', '--prometheus-url', url()],
    ],
    ['cost prices import', ['cost', 'prices', 'import', url('/prices.json')]],
  ]
  for (const [name, args] of cases)
    it(name, async () => {
      await expectNoEcho(args, [PASSWORD, TOKEN])
    })

  it('redacts a key-like query parameter of an unreachable URL, still exit 3', async () => {
    await expectNoEcho(['trace', 'list', '--endpoint', `http://127.0.0.1:9/?token=${TOKEN}`], [TOKEN], 3)
  })
})
