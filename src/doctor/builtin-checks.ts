import type { Check } from './check.js'
import { dockerEngineCheck } from './checks/docker-engine.js'
import { diskSpaceCheck, goblinHomeCheck } from './checks/goblin-home.js'
import { helmCheck, kubectlCheck } from './checks/k8s-tools.js'
import { nodeVersionCheck } from './checks/node-version.js'
import { otlpEndpointCheck } from './checks/otlp-endpoint.js'
import { projectConfigCheck } from './checks/project-config.js'
import { signingKeyCheck } from './checks/signing-key.js'
import { stackPortsCheck } from './checks/stack-ports.js'

/** goblin's own checks, in the order doctor shows them. Plugins append theirs (goblin:doctor-checks). */
export const builtinChecks: Check[] = [
  nodeVersionCheck,
  goblinHomeCheck,
  projectConfigCheck,
  dockerEngineCheck,
  stackPortsCheck,
  signingKeyCheck,
  otlpEndpointCheck,
  helmCheck,
  kubectlCheck,
  diskSpaceCheck,
]
