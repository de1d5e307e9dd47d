import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { REPO_ROOT } from '../helpers/cli.js'

/**
 * A real local Ethereum node for tests: Hardhat's (`hardhat node`, EDR underneath) on 127.0.0.1 with an
 * ephemeral port, started and stopped by the test. Chain id 31337; it mines a block per transaction, and
 * `mine()` adds empty blocks so confirmations can be waited for.
 */

/** Hardhat's well-known development account #0 (funded on every Hardhat node; never use it elsewhere). */
export const HARDHAT_ACCOUNT_0_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
export const HARDHAT_CHAIN_ID = 31337

export interface HardhatNode {
  url: string
  /** Mines `n` empty blocks. */
  mine(n?: number): Promise<void>
  stop(): Promise<void>
}

/** Starts `hardhat node --port 0` and resolves with its URL once it listens. */
export async function startHardhatNode(): Promise<HardhatNode> {
  const cli = join(REPO_ROOT, 'node_modules/hardhat/dist/src/cli.js')
  const child: ChildProcess = spawn(
    process.execPath,
    [
      cli,
      '--config',
      join(REPO_ROOT, 'test/support/hardhat.config.mjs'),
      'node',
      '--port',
      '0',
      '--hostname',
      '127.0.0.1',
    ],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true' },
    },
  )
  let output = ''
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`hardhat node did not start in 100 s:\n${output}`)),
      100_000,
    )
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /JSON-RPC server at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve(match[1] as string)
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`hardhat node exited with ${code}:\n${output}`))
    })
  })
  const rpc = async (method: string, params: unknown[]) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    })
    return response.json()
  }
  return {
    url,
    async mine(n = 1) {
      for (let i = 0; i < n; i++) await rpc('evm_mine', [])
    },
    async stop() {
      if (child.exitCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    },
  }
}
