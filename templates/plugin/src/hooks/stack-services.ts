import type { Hook } from '@oclif/core'
import { API_VERSION, type GoblinHooks } from '../contracts.js'

const PORT_VARIABLE = '__PLUGIN_ENV___ECHO_PORT'
const DEFAULT_PORT = 5678

/** `goblin:stack-services`: adds an HTTP echo service to goblin's stack plan. */
const hook: Hook<'goblin:stack-services', GoblinHooks> = async ({ stage }) => {
  // The host port is configurable so two plugins built from this template do not fight over one port.
  const port = Number(process.env[PORT_VARIABLE] ?? DEFAULT_PORT)
  return {
    apiVersion: API_VERSION,
    services: [
      {
        name: '__PLUGIN_TOPIC__-echo',
        image: 'docker.io/hashicorp/http-echo:1.0',
        command: [`-text=hello from __PLUGIN_PACKAGE__ (${stage ?? 'local'})`, '-listen=:5678'],
        ports: [{ container: 5678, host: port }],
        healthcheck: { http: `http://127.0.0.1:${port}/`, timeoutSeconds: 30 },
      },
    ],
  }
}

export default hook
