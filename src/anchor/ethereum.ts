import { GoblinError, unreachableError, usageError } from '../core/errors.js'

/**
 * Anchoring a root on Ethereum with ethers (imported lazily): a zero-value transaction from the signer to
 * itself whose calldata is `goblin-anchor-v1:` followed by the 32-byte root. No contract: nothing to deploy
 * or trust, the root is in the chain's transaction history, and anyone can read it back with
 * `eth_getTransactionByHash`. Verification re-reads the transaction and its block.
 */

/** The calldata prefix: says what the 32 bytes after it are. */
export const ANCHOR_DATA_PREFIX = Buffer.from('goblin-anchor-v1:', 'ascii')

export interface EthereumSettings {
  rpcUrl: string
  chainId: number
  confirmations: number
  /** How long to wait for the confirmations before giving up (exit 3). */
  timeoutMs?: number
  /** How often ethers polls the node; the default suits public chains, tests poll faster. */
  pollingIntervalMs?: number
  /** Called once the transaction is sent, before the wait for its confirmations (minutes on a public chain). */
  onSent?: (txHash: string) => void
}

export interface EthereumAnchor {
  chainId: number
  txHash: string
  blockNumber: number
  blockHash: string
  from: string
  /** The transaction's calldata, hex: the prefix and the root. */
  data: string
  confirmations: number
}

/** The calldata that carries `root`. */
export function anchorCalldata(root: Uint8Array): string {
  return `0x${Buffer.concat([ANCHOR_DATA_PREFIX, root]).toString('hex')}`
}

/** The root a calldata carries, or null when it is not goblin anchor calldata. */
export function rootFromCalldata(data: string): Uint8Array | null {
  const bytes = Buffer.from(data.replace(/^0x/, ''), 'hex')
  if (bytes.length !== ANCHOR_DATA_PREFIX.length + 32) return null
  if (!bytes.subarray(0, ANCHOR_DATA_PREFIX.length).equals(ANCHOR_DATA_PREFIX)) return null
  return Uint8Array.from(bytes.subarray(ANCHOR_DATA_PREFIX.length))
}

/** Where the RPC is, for messages and receipts: the origin only, since paths often carry API keys. */
export function rpcOrigin(rpcUrl: string): string {
  try {
    return new URL(rpcUrl).origin
  } catch {
    return '(invalid URL)'
  }
}

/** Sends the anchor transaction and waits for the configured confirmations. */
export async function anchorOnEthereum(
  root: Uint8Array,
  privateKey: string,
  settings: EthereumSettings,
): Promise<EthereumAnchor> {
  const { provider } = await connect(settings)
  const { Wallet } = await import('ethers')
  const wallet = new Wallet(privateKey, provider)
  let receipt: Awaited<ReturnType<Awaited<ReturnType<typeof wallet.sendTransaction>>['wait']>>
  let sent: string | undefined
  try {
    const tx = await wallet.sendTransaction({ to: wallet.address, value: 0n, data: anchorCalldata(root) })
    sent = tx.hash
    settings.onSent?.(tx.hash)
    receipt = await tx.wait(settings.confirmations, settings.timeoutMs ?? 600_000)
  } catch (error) {
    const mapped = ethereumError(error, settings)
    // Once sent, the transaction may still be mined: say which one, so nobody pays for a second anchor blindly.
    if (sent)
      mapped.message = `${mapped.message} (transaction ${sent} was sent; look it up before anchoring again)`
    throw mapped
  } finally {
    provider.destroy()
  }
  if (receipt?.status !== 1) {
    throw new GoblinError('ETH_TX_FAILED', `the anchor transaction failed on chain ${settings.chainId}`, {})
  }
  return {
    chainId: settings.chainId,
    txHash: receipt.hash,
    blockNumber: receipt.blockNumber,
    blockHash: receipt.blockHash,
    from: wallet.address,
    data: anchorCalldata(root),
    confirmations: settings.confirmations,
  }
}

export interface EthereumCheck {
  ok: boolean
  detail: string
  /** Block time (ISO 8601) when the transaction was found. */
  time?: string
}

/** Reads the anchor transaction back and checks chain, calldata, block and success. */
export async function verifyEthereumAnchor(
  anchor: EthereumAnchor,
  root: Uint8Array,
  settings: Pick<EthereumSettings, 'rpcUrl' | 'chainId'>,
): Promise<EthereumCheck> {
  const { provider, chainId } = await connect({ ...settings, chainId: anchor.chainId, confirmations: 0 })
  try {
    const tx = await provider.getTransaction(anchor.txHash)
    if (!tx) return { ok: false, detail: `transaction ${anchor.txHash} is not on chain ${chainId}` }
    const carried = rootFromCalldata(tx.data)
    if (!carried || !Buffer.from(carried).equals(Buffer.from(root))) {
      return { ok: false, detail: `transaction ${anchor.txHash} does not carry the checkpoint root` }
    }
    const receipt = await provider.getTransactionReceipt(anchor.txHash)
    if (receipt?.status !== 1)
      return { ok: false, detail: `transaction ${anchor.txHash} is not mined or failed` }
    if (receipt.blockNumber !== anchor.blockNumber || receipt.blockHash !== anchor.blockHash) {
      return {
        ok: false,
        detail: `transaction ${anchor.txHash} is in block ${receipt.blockNumber}, the receipt says ${anchor.blockNumber}`,
      }
    }
    const block = await provider.getBlock(receipt.blockNumber)
    const time = block ? new Date(block.timestamp * 1000).toISOString() : undefined
    const depth = (await provider.getBlockNumber()) - receipt.blockNumber + 1
    return {
      ok: true,
      detail: `chain ${chainId} block ${receipt.blockNumber} (${depth} confirmations) carries the root in ${anchor.txHash}`,
      time,
    }
  } catch (error) {
    throw ethereumError(error, settings)
  } finally {
    provider.destroy()
  }
}

/** Asks the node for its chain id first (plain fetch, with a deadline) so a dead RPC is exit 3, not a hang. */
async function connect(settings: EthereumSettings) {
  const origin = rpcOrigin(settings.rpcUrl)
  let chainId: number
  try {
    const response = await fetch(settings.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(10_000),
    })
    const body = (await response.json()) as { result?: string }
    if (!body.result) throw new Error(`HTTP ${response.status}, no chain id`)
    chainId = Number(BigInt(body.result))
  } catch (error) {
    throw unreachableError(
      'ETH_RPC_UNREACHABLE',
      `Ethereum RPC ${origin} is unreachable (${(error as Error).message})`,
      'Check anchor.ethereum.rpc_url in goblin.config.json and that the node is up.',
      error,
    )
  }
  if (chainId !== settings.chainId) {
    throw usageError(
      'ETH_CHAIN_MISMATCH',
      `Ethereum RPC ${origin} serves chain ${chainId}, but chain ${settings.chainId} is expected`,
      'Point anchor.ethereum.rpc_url at a node of that chain, or set anchor.ethereum.chain_id.',
    )
  }
  const { JsonRpcProvider, Network } = await import('ethers')
  const provider = new JsonRpcProvider(settings.rpcUrl, undefined, {
    staticNetwork: Network.from(chainId),
    pollingInterval: settings.pollingIntervalMs ?? 4000,
  })
  return { provider, chainId }
}

function ethereumError(error: unknown, settings: Pick<EthereumSettings, 'rpcUrl'>): GoblinError {
  if (error instanceof GoblinError) return error
  const e = error as { code?: string; shortMessage?: string; message?: string }
  const what = e.shortMessage ?? e.message ?? String(error)
  if (e.code === 'INSUFFICIENT_FUNDS') {
    return usageError(
      'ETH_INSUFFICIENT_FUNDS',
      'the Ethereum signer cannot pay for the anchor transaction',
      'Fund the signer address.',
    )
  }
  if (e.code === 'TIMEOUT' || e.code === 'NETWORK_ERROR' || /ECONNREFUSED|fetch failed/.test(what)) {
    return unreachableError('ETH_RPC_UNREACHABLE', `Ethereum RPC ${rpcOrigin(settings.rpcUrl)}: ${what}`)
  }
  return new GoblinError('ETH_ERROR', `Ethereum RPC ${rpcOrigin(settings.rpcUrl)}: ${what}`)
}
