import { loadProjectConfig } from '../core/config.js'
import type { ProjectConfig } from '../core/config-schema.js'
import type { RuntimeChoice } from './runtime-select.js'

/** Where the embedded collector listens: flags first, then `stack.ports.otlp-http`, then `collector.*`. */
export function embeddedAddress(
  config: ProjectConfig,
  flags: { host?: string; port?: number },
): { host: string; port: number } {
  return {
    host: flags.host ?? config.collector.host,
    port: flags.port ?? config.stack.ports['otlp-http'] ?? config.collector.port,
  }
}

/** The runtime a command uses: `--runtime`, else `stack.runtime` from goblin.config.json (default auto). */
export function runtimeChoice(config: ProjectConfig, flag?: RuntimeChoice): RuntimeChoice {
  return flag ?? config.stack.runtime
}

/** The project's config for the stack commands (exit 2 with file:line:field when it is invalid). */
export function loadStackConfig(cwd: string): ProjectConfig {
  return loadProjectConfig(cwd).config
}
