import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseListeningSockets } from '../../../src/stack/proc-net-tcp.js'
import { REPO_ROOT } from '../../helpers/cli.js'

const fixture = (name: string) => readFileSync(join(REPO_ROOT, 'test/fixtures/stack', name), 'utf8')

describe('parseListeningSockets', () => {
  it('keeps LISTEN sockets of /proc/net/tcp with address, port and inode', () => {
    expect(parseListeningSockets(fixture('proc-net-tcp.txt'))).toEqual([
      { address: '0.0.0.0', port: 2024, inode: 1063 },
      { address: '127.0.0.1', port: 4318, inode: 48211 },
    ])
  })

  it('decodes /proc/net/tcp6 addresses (any and loopback)', () => {
    expect(parseListeningSockets(fixture('proc-net-tcp6.txt'))).toEqual([
      { address: '::', port: 3000, inode: 77001 },
      { address: '::1', port: 8080, inode: 77002 },
    ])
  })

  it('ignores a header-only or garbled table', () => {
    expect(parseListeningSockets('  sl  local_address\n')).toEqual([])
    expect(parseListeningSockets('header\n garbage line\n')).toEqual([])
  })
})
