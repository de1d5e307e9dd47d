import * as Flags from '@oclif/core/flags'
import { loadProjectConfig } from '../core/config.js'
import { parseHttpUrl } from '../core/http-url.js'
import { goblinHome } from '../core/paths.js'
import { type BackendTarget, resolveBackend } from '../trace/endpoints.js'

/** `--backend` and `--endpoint`, shared by the commands that read traces. */
export const backendFlags = {
  backend: Flags.string({
    description:
      'where to read traces (default: follows the running stack, then goblin.config.json trace.backend)',
    options: ['embedded', 'tempo'],
  }),
  endpoint: Flags.string({ description: 'query API base URL, e.g. http://127.0.0.1:3200 for Tempo' }),
}

/** The trace backend the flags, the running stack and the config name. */
export function backendFrom(flags: { backend?: string; endpoint?: string }): BackendTarget {
  if (flags.endpoint) parseHttpUrl(flags.endpoint, '--endpoint')
  return resolveBackend({
    home: goblinHome(),
    config: loadProjectConfig().config,
    backend: flags.backend as BackendTarget['kind'] | undefined,
    endpoint: flags.endpoint,
  })
}
