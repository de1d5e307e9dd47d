import { loadProjectConfig } from '../../core/config.js'
import type { Check } from '../check.js'

export const projectConfigCheck: Check = {
  id: 'config',
  title: 'goblin.config.json valid',
  async run({ cwd }) {
    try {
      const { path } = loadProjectConfig(cwd)
      return path
        ? { status: 'ok', detail: path }
        : { status: 'skip', detail: 'no goblin.config.json; defaults apply' }
    } catch (error) {
      return { status: 'fail', detail: (error as Error).message, fix: (error as { hint?: string }).hint }
    }
  },
}
