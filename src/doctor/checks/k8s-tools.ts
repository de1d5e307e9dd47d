import { findOnPath } from '../../core/executables.js'
import type { Check } from '../check.js'

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
