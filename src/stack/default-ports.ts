/** Host address every port is published on: the stack is for this machine. */
export const PUBLISH_HOST = '127.0.0.1'

/** The host ports the local stack publishes, by service; `goblin.config.json` `stack.ports` overrides them. */
export const DEFAULT_STACK_PORTS: Record<string, number> = {
  'otlp-http': 4318,
  'otlp-grpc': 4317,
  grafana: 3000,
  tempo: 3200,
  loki: 3100,
  prometheus: 9090,
}
