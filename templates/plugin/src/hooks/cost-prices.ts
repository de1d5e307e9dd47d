import type { Hook } from '@oclif/core'
import { API_VERSION, type GoblinHooks } from '../contracts.js'

/**
 * `goblin:cost-prices`: adds prices (USD per token) for the models this plugin knows. They override
 * goblin's bundled and imported prices for the same model, so `goblin cost` prices its spans with them.
 */
const hook: Hook<'goblin:cost-prices', GoblinHooks> = async () => ({
  apiVersion: API_VERSION,
  source: '__PLUGIN_PACKAGE__',
  prices: [
    {
      model: '__PLUGIN_TOPIC__-mini',
      provider: '__PLUGIN_TOPIC__',
      inputPerToken: 0.000002,
      outputPerToken: 0.000008,
    },
  ],
})

export default hook
