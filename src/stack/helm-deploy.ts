import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isMap, parseAllDocuments } from 'yaml'
import { GoblinError, unreachableError } from '../core/errors.js'
import { findOnPath } from '../core/executables.js'
import { stackAssetsDir } from './package-root.js'

/** The stages `goblin stack deploy --stage` knows; each has `values-<stage>.yaml` beside the chart. */
export const DEPLOY_STAGES = ['staging', 'prod'] as const
export type DeployStage = (typeof DEPLOY_STAGES)[number]

export const DEFAULT_RELEASE = 'goblin-stack'
export const DEFAULT_NAMESPACE = 'observability'
const HELM_TIMEOUT = '5m'

export interface DeployOptions {
  stage: DeployStage
  dryRun?: boolean
  namespace?: string
  /** kubeconfig context; the current one when absent. */
  context?: string
  release?: string
  /** Dry run: also write the full manifests (Secrets included) to this file, mode 0600. */
  outputFile?: string
  env?: NodeJS.ProcessEnv
}

export interface DeployReport {
  stage: DeployStage
  release: string
  namespace: string
  context: string | null
  dryRun: boolean
  chart: string
  valuesFiles: string[]
  /** The helm command line that ran. */
  command: string[]
  /** What the chart renders (dry run) or installed: kind and name of each resource. */
  resources: Array<{ kind: string; name: string }>
  /** Dry run: the manifests with Secret values redacted (the full ones only go to --output). */
  manifests?: string
  writtenTo?: string
  /** What helm printed after installing (release status, notes). */
  helmOutput?: string
}

/** The chart directory inside goblin's `stack/`. */
export function chartDir(): string {
  return join(stackAssetsDir(), 'helm', 'goblin-stack')
}

/**
 * `goblin stack deploy`: renders (`helm template`, dry run) or installs (`helm upgrade --install`) the chart
 * with the stage's values. Missing helm (or kubectl, for a real deploy) and an unreachable cluster are
 * exit 3 with how to fix it; helm refusing the release is exit 1 with its message.
 */
export async function deployStack(options: DeployOptions): Promise<DeployReport> {
  const env = options.env ?? process.env
  const { execa } = await import('execa')
  const helm = await findOnPath('helm', env)
  if (!helm) {
    throw unreachableError(
      'HELM_MISSING',
      'helm is not on PATH; goblin stack deploy runs the chart with it',
      'Install Helm 3 (https://helm.sh/docs/intro/install/; in a clone of goblin: test/support/install-helm.sh), then run goblin doctor --only helm.',
    )
  }
  const chart = chartDir()
  const valuesFiles = [join(chart, `values-${options.stage}.yaml`)]
  const release = options.release ?? DEFAULT_RELEASE
  const namespace = options.namespace ?? DEFAULT_NAMESPACE
  const context = options.context ?? null
  const base = { stage: options.stage, release, namespace, context, chart, valuesFiles }
  const values = valuesFiles.flatMap((f) => ['-f', f])

  if (options.dryRun) {
    const command = ['template', release, chart, '--namespace', namespace, ...values]
    const result = await execa(helm, command, { env, reject: false })
    if (result.exitCode !== 0) throw helmError('rendering the chart', String(result.stderr))
    const manifests = String(result.stdout)
    let writtenTo: string | undefined
    if (options.outputFile) {
      writeFileSync(options.outputFile, manifests, { mode: 0o600 })
      writtenTo = options.outputFile
    }
    return {
      ...base,
      dryRun: true,
      command: [helm, ...command],
      resources: listResources(manifests),
      manifests: redactSecrets(manifests),
      writtenTo,
    }
  }

  const kubectl = await findOnPath('kubectl', env)
  if (!kubectl) {
    throw unreachableError(
      'KUBECTL_MISSING',
      'kubectl is not on PATH; goblin stack deploy checks the cluster with it before installing',
      'Install kubectl (https://kubernetes.io/docs/tasks/tools/) and configure a context, or render only: --dry-run.',
    )
  }
  const contextArgs = context ? ['--context', context] : []
  const ready = await execa(kubectl, [...contextArgs, 'get', '--raw', '/readyz', '--request-timeout=10s'], {
    env,
    reject: false,
    timeout: 20_000,
  })
  if (ready.exitCode !== 0) {
    const why = firstLine(String(ready.stderr)) || `kubectl exited with ${ready.exitCode}`
    throw unreachableError(
      'CLUSTER_UNREACHABLE',
      `the Kubernetes cluster${context ? ` of context ${context}` : ''} does not answer: ${why}`,
      'Check kubectl config current-context (or pass --context), that the cluster runs, and your credentials.',
    )
  }
  const command = [
    'upgrade',
    '--install',
    release,
    chart,
    '--namespace',
    namespace,
    '--create-namespace',
    ...values,
    '--wait',
    '--timeout',
    HELM_TIMEOUT,
    ...(context ? ['--kube-context', context] : []),
  ]
  const result = await execa(helm, command, { env, reject: false })
  if (result.exitCode !== 0) throw helmError(`installing release ${release}`, String(result.stderr))
  const rendered = await execa(
    helm,
    ['get', 'manifest', release, '--namespace', namespace, ...(context ? ['--kube-context', context] : [])],
    {
      env,
      reject: false,
    },
  )
  return {
    ...base,
    dryRun: false,
    command: [helm, ...command],
    resources: rendered.exitCode === 0 ? listResources(String(rendered.stdout)) : [],
    helmOutput: String(result.stdout),
  }
}

/** The kind and name of each document in a multi-document manifest. */
export function listResources(manifests: string): Array<{ kind: string; name: string }> {
  return parseAllDocuments(manifests)
    .map((doc) => doc.toJS() as { kind?: string; metadata?: { name?: string } } | null)
    .filter((r): r is { kind: string; metadata: { name: string } } => Boolean(r?.kind && r.metadata?.name))
    .map((r) => ({ kind: r.kind, name: r.metadata.name }))
}

/** The manifests with every Secret's data and stringData values replaced, so keys never reach a terminal. */
export function redactSecrets(manifests: string): string {
  return parseAllDocuments(manifests)
    .map((doc) => {
      if (doc.get('kind') === 'Secret') {
        for (const field of ['data', 'stringData']) {
          const map = doc.get(field, true)
          if (!isMap(map)) continue
          for (const item of map.items) item.value = doc.createNode('REDACTED')
        }
      }
      return doc.toString()
    })
    .join('---\n')
}

function helmError(what: string, stderr: string): GoblinError {
  const message = firstLine(stderr.replace(/^Error: /m, '')) || 'no message'
  if (/cluster unreachable|connection refused|no such host|i\/o timeout/i.test(stderr)) {
    return unreachableError(
      'CLUSTER_UNREACHABLE',
      `helm failed ${what}: ${message}`,
      'Check that the cluster answers: kubectl get --raw /readyz.',
    )
  }
  return new GoblinError('HELM_FAILED', `helm failed ${what}: ${message}`, {
    hint: "Read helm's message; goblin stack deploy --dry-run shows what would be installed.",
  })
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find(Boolean) ?? ''
  )
}
