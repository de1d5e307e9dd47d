import type { Hook } from '@oclif/core'
import { API_VERSION, type GoblinHooks } from '../contracts.js'

const API_KEY = '__PLUGIN_ENV___API_KEY'

/** `goblin:doctor-checks`: tells `goblin doctor` whether this plugin is configured. */
const hook: Hook<'goblin:doctor-checks', GoblinHooks> = async ({ env }) => {
  const configured = Boolean(env[API_KEY]?.trim())
  return {
    apiVersion: API_VERSION,
    checks: [
      configured
        ? {
            id: '__PLUGIN_TOPIC__:api-key',
            title: '__PLUGIN_TOPIC__ API key',
            status: 'ok',
            detail: `${API_KEY} is set`,
          }
        : {
            id: '__PLUGIN_TOPIC__:api-key',
            title: '__PLUGIN_TOPIC__ API key',
            status: 'warn',
            detail: `${API_KEY} is not set`,
            fix: `export ${API_KEY}=<your key>`,
          },
    ],
  }
}

export default hook
