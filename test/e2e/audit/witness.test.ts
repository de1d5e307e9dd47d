import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createCheckpoint, ledgerLeafHashes } from '../../../src/audit/checkpoint-store.js'
import { generateKey, loadSigner } from '../../../src/audit/keyring.js'
import { appendEvents } from '../../../src/audit/ledger.js'
import { consistencyProof } from '../../../src/audit/merkle.js'
import { ALG_COSIGNATURE_V1, formatVerifierKey } from '../../../src/audit/signed-note.js'
import { parseJson, runGoblin, tempDir } from '../../helpers/cli.js'
import { startListener } from '../../support/goblin-listener.js'
import { events as auditEvents } from '../../unit/audit/audit-fixture.js'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

function home() {
  const h = tempDir('goblin-witness-e2e-')
  cleanups.push(h.cleanup)
  const env = { GOBLIN_HOME: h.path }
  return {
    path: h.path,
    env,
    goblin: (args: string[], input?: string) => runGoblin(args, { env, input, cwd: h.path }),
  }
}

async function witness(name: string, logVkey: string, at = home()) {
  const w = await startListener(
    ['audit', 'witness', 'serve', '--port', '0', '--name', name, '--log', logVkey],
    at.env,
  )
  cleanups.push(w.stop)
  return { ...w, home: at, url: w.listening.url, vkey: w.listening.vkey as string }
}

const lines = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({ goblin_id: 'g', action: `${tag}.${i}`, decision: 'allow' }),
  ).join('\n')

describe('a log and two witnesses as separate processes (built CLI)', { timeout: 240_000 }, () => {
  it('cosigns each checkpoint, recovers from 409, warns on a dead witness, and the proof meets a 2-of-2 policy', async () => {
    const log = home()
    const { vkey } = parseJson<{ vkey: string }>(
      await log.goblin(['audit', 'keygen', '--name', 'example.com/audit', '--json']),
    )
    const [w1, w2] = await Promise.all([witness('w1.example/w', vkey), witness('w2.example/w', vkey)])
    expect(w1.listening).toMatchObject({
      event: 'listening',
      name: 'w1.example/w',
      vkey: expect.stringMatching(/^w1\.example\/w\+[0-9a-f]{8}\+B[A-Za-z0-9+/]{43}$/),
    })
    const dead = formatVerifierKey('w3.example/w', Buffer.alloc(32, 3), ALG_COSIGNATURE_V1)
    const setWitnesses = (...witnesses: Array<{ url: string; vkey: string }>) =>
      writeFileSync(
        join(log.path, 'goblin.config.json'),
        JSON.stringify({ audit: { witnesses: witnesses.map(({ url, vkey }) => ({ url, vkey })) } }),
      )
    setWitnesses(w1, w2, { url: 'http://127.0.0.1:9/', vkey: dead })
    expect((await log.goblin(['audit', 'sign', '--input', '-'], lines(10, 'a'))).exitCode).toBe(0)
    const first = await log.goblin(['audit', 'checkpoint', '--json'])
    expect(first.exitCode, first.stderr).toBe(0)
    const made = parseJson<{ note: string; witnesses: Array<{ name: string; status: string }> }>(first)
    expect(made.witnesses.map((o) => [o.name, o.status])).toEqual([
      ['w1.example/w', 'cosigned'],
      ['w2.example/w', 'cosigned'],
      ['w3.example/w', 'unreachable'],
    ])
    expect(readFileSync(join(log.path, 'audit', 'checkpoints', '10.note'), 'utf8')).toBe(made.note)
    expect(made.note.match(/^\u2014 /gm)).toHaveLength(3)
    const human = await log.goblin(['audit', 'sign', '--input', '-'], lines(5, 'b'))
    expect(human.exitCode).toBe(0)
    const second = await log.goblin(['audit', 'checkpoint'])
    expect(second.stderr).toContain('warning: witness w3.example/w (http://127.0.0.1:9/) unreachable')

    // w2 misses checkpoint 18; at 20 the log believes it has 18, w2 answers 409 with 15, and the log
    // proves consistency from 15 instead.
    setWitnesses(w1)
    await log.goblin(['audit', 'sign', '--input', '-'], lines(3, 'c'))
    expect((await log.goblin(['audit', 'checkpoint'])).exitCode).toBe(0)
    setWitnesses(w1, w2)
    await log.goblin(['audit', 'sign', '--input', '-'], lines(2, 'd'))
    const recovered = parseJson<{ size: number; witnesses: Array<{ status: string }> }>(
      await log.goblin(['audit', 'checkpoint', '--json']),
    )
    expect(recovered).toMatchObject({ size: 20, witnesses: [{ status: 'cosigned' }, { status: 'cosigned' }] })

    // An auditor with a policy: this log, and both witnesses.
    const auditor = home()
    const policy = join(auditor.path, 'audit.policy')
    writeFileSync(
      policy,
      `log ${vkey}\nwitness W1 ${w1.vkey}\nwitness W2 ${w2.vkey}\ngroup both all W1 W2\nquorum both\n`,
    )
    const proof = join(auditor.path, 'e.tlog-proof')
    writeFileSync(proof, `${(await log.goblin(['audit', 'prove', '--index', '12', '--bundle'])).stdout}\n`)
    const ok = await auditor.goblin(['audit', 'verify-proof', proof, '--policy', policy, '--json'])
    expect(ok.exitCode, ok.stdout).toBe(0)
    expect(parseJson(ok)).toMatchObject({ ok: true, cosigned_by: ['W1', 'W2'], checkpoint: { size: 20 } })
    writeFileSync(
      policy,
      `log ${vkey}\nwitness W1 ${w1.vkey}\nwitness W3 ${dead}\ngroup both all W1 W3\nquorum both\n`,
    )
    const short = await auditor.goblin(['audit', 'verify-proof', proof, '--policy', policy, '--json'])
    expect(short.exitCode).toBe(1)
    expect(parseJson<{ errors: Array<{ kind: string }> }>(short).errors.map((e) => e.kind)).toEqual([
      'checkpoint-quorum',
    ])
  })

  it('a witness killed with SIGKILL mid-request is never behind a cosignature it gave', async () => {
    const keys = home()
    await generateKey(join(keys.path, 'keys'), 'example.com/audit')
    const { signer } = loadSigner(join(keys.path, 'keys'))
    const ledgerDir = join(keys.path, 'audit')
    const notes: Array<{ size: number; note: string }> = []
    for (let i = 0; i < 40; i++) {
      await appendEvents(ledgerDir, auditEvents(3, `k${i}`), signer)
      const c = await createCheckpoint(ledgerDir, signer, 'example.com/audit')
      notes.push({ size: c.size, note: c.note })
    }
    const { leaves } = await ledgerLeafHashes(ledgerDir)
    const body = (old: number, n: { size: number; note: string }) =>
      `old ${old}\n${consistencyProof(leaves, old, n.size)
        .map((h) => `${h.toString('base64')}\n`)
        .join('')}\n${n.note}`
    const witnessHome = home()
    const originHash = createHash('sha256').update('example.com/audit').digest('hex')
    let cosigned = 0
    let next = 0
    for (let round = 0; round < 5 && next < notes.length; round++) {
      const w = await witness('w.example/w', signer.vkey, witnessHome)
      // Requests go back to back; the kill lands at a random moment among them.
      const killAt = setTimeout(() => w.child.kill('SIGKILL'), 20 + Math.floor(Math.random() * 60))
      try {
        for (; next < notes.length; next++) {
          const r = await fetch(new URL('add-checkpoint', w.url), {
            method: 'POST',
            body: body(cosigned, notes[next] as never),
          })
          const text = await r.text()
          if (r.status === 409) cosigned = Number(text.trim())
          else if (r.status === 200) cosigned = (notes[next] as { size: number }).size
          else throw new Error(`witness answered ${r.status}: ${text}`)
        }
      } catch (error) {
        if ((error as Error).message.startsWith('witness answered')) throw error
      } finally {
        clearTimeout(killAt)
        await w.stop()
      }
      const again = await witness('w.example/w', signer.vkey, witnessHome)
      const state = await (await fetch(new URL(`${originHash}/checkpoint`, again.url))).text()
      const stored = cosigned === 0 && state.startsWith('never') ? 0 : Number(state.split('\n')[1])
      expect(stored, `round ${round}`).toBeGreaterThanOrEqual(cosigned)
      cosigned = stored
      await again.stop()
    }
    expect(cosigned).toBeGreaterThan(0)
  })
})
