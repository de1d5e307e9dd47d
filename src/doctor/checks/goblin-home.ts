import { constants } from 'node:fs'
import { access, mkdir, statfs } from 'node:fs/promises'
import type { Check } from '../check.js'

export const goblinHomeCheck: Check = {
  id: 'goblin-home',
  title: 'GOBLIN_HOME writable',
  async run({ goblinHome }) {
    try {
      await mkdir(goblinHome, { recursive: true })
      await access(goblinHome, constants.W_OK)
      return { status: 'ok', detail: goblinHome }
    } catch (error) {
      return {
        status: 'fail',
        detail: `${goblinHome}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        fix: 'Point GOBLIN_HOME at a directory you can write, or fix its permissions.',
      }
    }
  },
}

/** Below this much free space under GOBLIN_HOME the span store and ledger are at risk. */
export const MIN_FREE_BYTES = 1024 ** 3

export const diskSpaceCheck: Check = {
  id: 'disk',
  title: 'Free disk under GOBLIN_HOME',
  async run({ goblinHome }) {
    await mkdir(goblinHome, { recursive: true })
    const stats = await statfs(goblinHome)
    const free = stats.bavail * stats.bsize
    const detail = `${(free / 1024 ** 3).toFixed(1)} GiB free`
    if (free >= MIN_FREE_BYTES) return { status: 'ok', detail }
    return {
      status: 'warn',
      detail,
      fix: 'Free some space or lower collector.retention.max_megabytes in goblin.config.json.',
    }
  },
}
