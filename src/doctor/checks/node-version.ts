import type { Check } from '../check.js'

/** goblin targets Node 22 LTS and newer. */
export const MIN_NODE_MAJOR = 22

export const nodeVersionCheck: Check = {
  id: 'node',
  title: 'Node.js version',
  async run() {
    const major = Number(process.versions.node.split('.')[0])
    if (major >= MIN_NODE_MAJOR) return { status: 'ok', detail: process.version }
    return {
      status: 'fail',
      detail: `${process.version} is older than Node ${MIN_NODE_MAJOR}`,
      fix: `Install Node ${MIN_NODE_MAJOR} LTS or newer.`,
    }
  },
}
