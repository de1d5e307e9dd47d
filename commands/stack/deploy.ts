import * as Flags from '@oclif/core/flags'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { startProgress } from '../../src/cli/progress.js'
import {
  DEFAULT_NAMESPACE,
  DEFAULT_RELEASE,
  DEPLOY_STAGES,
  type DeployReport,
  deployStack,
} from '../../src/stack/helm-deploy.js'

export default class StackDeploy extends GoblinCommand {
  static override summary = 'Deploy the telemetry pipeline to Kubernetes with the Helm chart'
  static override description =
    "Installs the chart in goblin's stack/helm/goblin-stack (collector agents as a DaemonSet, a central gateway Deployment, mTLS between them, optional API key on ingress, a NetworkPolicy that admits OTLP only from namespaces labelled telemetry.goblin.dev/otlp=true) with `helm upgrade --install` and the stage's values. --dry-run renders it with `helm template` instead: manifests on stdout with Secret values redacted, or in full to --output. Needs helm (and kubectl unless --dry-run): exit 3 when missing."
  static override examples = [
    '<%= config.bin %> stack deploy --stage staging --dry-run',
    '<%= config.bin %> stack deploy --stage prod --dry-run --output prod.yaml',
    '<%= config.bin %> stack deploy --stage prod --namespace observability --context prod-cluster',
  ]
  static override flags = {
    stage: Flags.option({
      options: DEPLOY_STAGES,
      required: true,
      description: 'which values-<stage>.yaml to use',
    })(),
    'dry-run': Flags.boolean({ description: 'render the manifests (helm template) instead of installing' }),
    namespace: Flags.string({ default: DEFAULT_NAMESPACE, description: 'namespace to install into' }),
    context: Flags.string({ description: 'kubeconfig context (default: the current one)' }),
    release: Flags.string({ default: DEFAULT_RELEASE, description: 'Helm release name' }),
    output: Flags.string({
      description: 'with --dry-run: write the full manifests (Secrets included) to this file (mode 0600)',
    }),
  }

  async run(): Promise<DeployReport> {
    const { flags } = await this.parse(StackDeploy)
    const progress = startProgress(this.stderrFacts)
    if (!flags['dry-run'])
      progress.update(`deploying the ${flags.stage} stack with helm (it waits for the pods)`)
    const report = await deployStack({
      stage: flags.stage,
      dryRun: flags['dry-run'],
      namespace: flags.namespace,
      context: flags.context,
      release: flags.release,
      outputFile: flags.output,
    }).finally(() => progress.done())
    const summary = `${report.resources.length} resources: ${report.resources.map((r) => `${r.kind}/${r.name}`).join(', ')}`
    if (report.dryRun) {
      if (report.writtenTo)
        this.out(`Wrote the ${report.stage} manifests to ${report.writtenTo} (${summary}).`)
      else {
        this.out(report.manifests ?? '')
        this.note(
          `Rendered ${report.release} for ${report.stage} into namespace ${report.namespace}: ${summary}. Secret values are redacted here; --output FILE writes them.`,
        )
      }
    } else {
      this.out(
        `Deployed ${report.release} (${report.stage}) to namespace ${report.namespace}${report.context ? ` on context ${report.context}` : ''}: ${summary}.`,
      )
      if (report.helmOutput) this.out(report.helmOutput)
    }
    return report
  }
}
