import * as Flags from '@oclif/core/flags'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { type CostEstimate, estimateCost } from '../../src/cost/estimate.js'

export default class CostEstimateCommand extends GoblinCommand {
  static override summary = 'Price one LLM call from its model and token counts'
  static override description =
    'Input tokens include cached and cache-creation tokens (as in the OpenTelemetry GenAI conventions); those are priced at their own rates. Model names resolve through the usual aliases (provider prefixes, dated versions); an unknown model is an error (exit 2), never $0.'
  static override examples = [
    '<%= config.bin %> cost estimate --model gpt-4o --input-tokens 12000 --output-tokens 800',
    '<%= config.bin %> cost estimate --model claude-sonnet-4-5 --input-tokens 50000 --cached-input-tokens 40000 --output-tokens 2000 --json',
  ]
  static override flags = {
    model: Flags.string({ description: 'model name as the provider or span names it', required: true }),
    provider: Flags.string({ description: 'provider (gen_ai.provider.name), to prefer its own price' }),
    'input-tokens': Flags.integer({
      description: 'input (prompt) tokens, cached ones included',
      required: true,
      min: 0,
    }),
    'output-tokens': Flags.integer({ description: 'output (completion) tokens', required: true, min: 0 }),
    'cached-input-tokens': Flags.integer({
      description: 'of the input tokens, those read from the prompt cache',
      min: 0,
    }),
    'cache-creation-tokens': Flags.integer({
      description: 'of the input tokens, those written to the prompt cache',
      min: 0,
    }),
  }

  async run(): Promise<CostEstimate> {
    const { flags } = await this.parse(CostEstimateCommand)
    const estimate = await estimateCost({
      model: flags.model,
      provider: flags.provider,
      inputTokens: flags['input-tokens'],
      outputTokens: flags['output-tokens'],
      cachedInputTokens: flags['cached-input-tokens'],
      cacheCreationInputTokens: flags['cache-creation-tokens'],
      hooks: this.config,
    })
    this.warnPluginProblems(estimate.problems)
    if (!this.jsonEnabled()) {
      const { formatUsd } = await import('../../src/ui/format.js')
      const alias = estimate.pricedAs === estimate.model ? '' : ` (priced as ${estimate.pricedAs})`
      this.out(
        `${formatUsd(estimate.usd)}  ${estimate.model}${alias}, ${estimate.provider}, ${estimate.origin} prices`,
      )
      const p = estimate.parts
      this.out(
        `  input ${formatUsd(p.input)} + cached input ${formatUsd(p.cachedInput)} + cache writes ${formatUsd(p.cacheCreation)} + output ${formatUsd(p.output)}`,
      )
    }
    return estimate
  }
}
