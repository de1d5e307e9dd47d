import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseJson, runGoblin, tempDir } from '../../helpers/cli.js'

/** `-----BEGIN` in base64: what a certificate or key in a Secret's data starts with. */
const PEM_IN_BASE64 = 'LS0tLS1CRUdJTi'

describe('goblin stack deploy', () => {
  let home: ReturnType<typeof tempDir>
  beforeEach(() => {
    home = tempDir()
  })
  afterEach(() => home.cleanup())

  const toolDir = async (tools: string[]) => {
    const dir = join(home.path, 'bin')
    mkdirSync(dir, { recursive: true })
    for (const tool of tools) {
      const path = String((await execa('sh', ['-c', `command -v ${tool}`])).stdout).trim()
      symlinkSync(path, join(dir, tool))
    }
    return dir
  }

  it('--dry-run renders the chart with helm template: manifests on stdout, Secret values redacted', async () => {
    const run = await runGoblin(['stack', 'deploy', '--stage', 'staging', '--dry-run'], {
      env: { GOBLIN_HOME: home.path },
    })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stdout).toContain('kind: DaemonSet')
    expect(run.stdout).toContain('kind: Deployment')
    expect(run.stdout).toContain('telemetry.goblin.dev/otlp: "true"')
    expect(run.stdout).toContain('ca.crt: REDACTED')
    expect(run.stdout).not.toContain(PEM_IN_BASE64)
    expect(run.stderr).toContain(
      'Rendered goblin-stack for staging into namespace observability: 9 resources',
    )
  }, 60_000)

  it('--dry-run --output writes the full manifests (mode 0600); --json lists the resources', async () => {
    const file = join(home.path, 'prod.yaml')
    const run = await runGoblin(
      [
        'stack',
        'deploy',
        '--stage',
        'prod',
        '--dry-run',
        '--namespace',
        'telemetry',
        '--output',
        file,
        '--json',
      ],
      { env: { GOBLIN_HOME: home.path } },
    )
    expect(run.exitCode, run.stderr).toBe(0)
    const doc = parseJson<{
      resources: Array<{ kind: string; name: string }>
      writtenTo: string
      namespace: string
      manifests: string
    }>(run)
    expect(doc.namespace).toBe('telemetry')
    expect(doc.writtenTo).toBe(file)
    expect(doc.resources).toContainEqual({ kind: 'Ingress', name: 'goblin-stack-otlp' })
    expect(doc.manifests).not.toContain(PEM_IN_BASE64)
    expect(readFileSync(file, 'utf8')).toContain(PEM_IN_BASE64)
    expect(readFileSync(file, 'utf8')).toContain('goblin-stack-gateway.telemetry.svc:4317')
    expect(statSync(file).mode & 0o777).toBe(0o600)
  }, 60_000)

  it('without helm on PATH exits 3 and says how to get it', async () => {
    const run = await runGoblin(['stack', 'deploy', '--stage', 'prod', '--dry-run'], {
      env: { GOBLIN_HOME: home.path, PATH: await toolDir([]) },
    })
    expect(run.exitCode).toBe(3)
    expect(run.stderr).toContain('helm is not on PATH')
    expect(run.stderr).toContain('https://helm.sh/docs/intro/install/')
  }, 60_000)

  it('a real deploy without kubectl exits 3; with kubectl but no cluster, exit 3 names the cluster', async () => {
    const helmOnly = await runGoblin(['stack', 'deploy', '--stage', 'staging'], {
      env: { GOBLIN_HOME: home.path, PATH: await toolDir(['helm']) },
    })
    expect(helmOnly.exitCode).toBe(3)
    expect(helmOnly.stderr).toContain('kubectl is not on PATH')
    // A kubeconfig whose only cluster is a closed port on this machine.
    const kubeconfig = join(home.path, 'kubeconfig')
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: local, cluster: {server: "https://127.0.0.1:1"}}]',
        'users: [{name: me, user: {token: x}}]',
        'contexts: [{name: nowhere, context: {cluster: local, user: me}}]',
        'current-context: nowhere',
      ].join('\n'),
    )
    const noCluster = await runGoblin(['stack', 'deploy', '--stage', 'staging', '--context', 'nowhere'], {
      env: { GOBLIN_HOME: home.path, KUBECONFIG: kubeconfig },
    })
    expect(noCluster.exitCode).toBe(3)
    expect(noCluster.stderr).toContain('deploying the staging stack with helm')
    expect(noCluster.stderr).toContain('the Kubernetes cluster of context nowhere does not answer')
  }, 60_000)

  it('an unknown stage is a usage error (exit 2)', async () => {
    const run = await runGoblin(['stack', 'deploy', '--stage', 'qa', '--dry-run'], {
      env: { GOBLIN_HOME: home.path },
    })
    expect(run.exitCode).toBe(2)
  }, 60_000)
})
