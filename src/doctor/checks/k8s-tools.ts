import { constants } from 'node:fs'
import { access } from 'node:fs/promises'
import { delimiter, join } from 'node:path'
import type { Check } from '../check.js'

/** The absolute path of an executable on PATH, or null. */
export async function findOnPath(name: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name)
    try {
      await access(candidate, constants.X_OK)
      return candidate
    } catch {}
  }
  return null
}

function toolCheck(tool: 'helm' | 'kubectl', install: string): Check {
  return {
    id: tool,
    title: `${tool} on PATH`,
    async run({ env }) {
      const path = await findOnPath(tool, env)
      if (path) return { status: 'ok', detail: path }
      return {
        status: 'warn',
        detail: `${tool} not found; only goblin stack deploy needs it`,
        fix: install,
      }
    },
  }
}

export const helmCheck = toolCheck('helm', 'Install Helm 3 (https://helm.sh/docs/intro/install/).')
export const kubectlCheck = toolCheck('kubectl', 'Install kubectl (https://kubernetes.io/docs/tasks/tools/).')
