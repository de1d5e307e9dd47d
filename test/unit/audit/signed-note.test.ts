import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { formatCheckpoint, parseCheckpoint } from '../../../src/audit/checkpoint.js'
import { generateSeed } from '../../../src/audit/ed25519.js'
import {
  formatSignerKey,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
} from '../../../src/audit/signed-note.js'

const vectors = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../fixtures/audit/signed-note-vectors.json'), 'utf8'),
) as {
  c2spExample: { vkey: string; note: string; text: string }
  goReference: { vkey: string; skey: string; text: string; note: string }
}

describe('signed-note (C2SP)', () => {
  it('verifies the C2SP spec example', () => {
    const verifier = parseVerifierKey(vectors.c2spExample.vkey)
    expect(verifier.name).toBe('example.com/foo')
    expect(verifier.keyId.toString(16)).toBe('530d903a')
    const opened = openNote(vectors.c2spExample.note, [verifier])
    expect(opened.text).toBe(vectors.c2spExample.text)
    expect(opened.verified.map((s) => s.label)).toEqual(['example.com/foo+530d903a'])
    expect(opened.failed).toEqual([])
  })

  it('reproduces the Go reference note byte for byte from its signer key', () => {
    const { skey, vkey, text, note } = vectors.goReference
    const signer = parseSignerKey(skey)
    expect(signer.vkey).toBe(vkey)
    expect(signNote(text, [signer])).toBe(note)
    const seed = Buffer.from(skey.split('+').slice(4).join('+'), 'base64').subarray(1)
    expect(formatSignerKey('PeterNeumann', seed)).toBe(skey)
    expect(openNote(note, [parseVerifierKey(vkey)]).verified).toHaveLength(1)
  })

  it('rejects a note whose text or signature changed, and ignores unknown keys', () => {
    const { vkey, note } = vectors.goReference
    const verifier = parseVerifierKey(vkey)
    const changed = note.replace('cryptography', 'Cryptography')
    expect(openNote(changed, [verifier]).failed.map((s) => s.name)).toEqual(['PeterNeumann'])
    const other = parseSignerKey(formatSignerKey('EnochRoot', generateSeed()))
    const twice = signNote(vectors.goReference.text, [other, parseSignerKey(vectors.goReference.skey)])
    const opened = openNote(twice, [verifier])
    expect(opened.verified.map((s) => s.name)).toEqual(['PeterNeumann'])
    expect(opened.unknown.map((s) => s.name)).toEqual(['EnochRoot'])
    // Same name, other key: unknown, not failed.
    const impostor = parseSignerKey(formatSignerKey('PeterNeumann', generateSeed()))
    expect(openNote(signNote('hi\n', [impostor]), [verifier]).unknown).toHaveLength(1)
  })

  it('refuses malformed verifier keys and notes', () => {
    const { vkey } = vectors.goReference
    const mangled = [
      vkey.slice(1),
      vkey.slice(0, -1),
      vkey.replace('c74f20a3', 'c74f20a4'),
      vkey.replace('+ARpc', '+AhRpc'),
      'PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
      'PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==',
      'bad name+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    ]
    for (const bad of mangled) expect(() => parseVerifierKey(bad), bad).toThrow(/not a verifier key/)
    const verifier = parseVerifierKey(vkey)
    for (const bad of [
      'no signatures\n',
      'text\n\n— x\n',
      'text\n\nnot a signature\n',
      'text\n\n— a b',
      'a\u0001\n\n— a AAAA\n',
    ]) {
      expect(() => openNote(bad, [verifier])).toThrow(/not a signed note/)
    }
  })

  it('formats and parses checkpoint bodies', () => {
    const root = Buffer.alloc(32, 7)
    const body = formatCheckpoint({ origin: 'goblin/ci', size: 12, root })
    expect(body).toBe(`goblin/ci\n12\n${root.toString('base64')}\n`)
    expect(parseCheckpoint(body)).toEqual({ origin: 'goblin/ci', size: 12, root, extensions: [] })
    expect(parseCheckpoint(`${body}ext line\n`).extensions).toEqual(['ext line'])
    for (const bad of [
      'goblin\n012\nAAAA\n',
      'goblin\nx\n',
      `goblin\n1\n${root.toString('base64')}`,
      `\n1\n${root.toString('base64')}\n`,
    ]) {
      expect(() => parseCheckpoint(bad)).toThrow(/checkpoint/)
    }
  })
})
