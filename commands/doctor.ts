import * as Flags from '@oclif/core/flags'
import { GoblinCommand } from '../src/cli/base-command.js'
import { ExitCode } from '../src/core/errors.js'
import { type DoctorReport, runDoctor } from '../src/doctor/doctor.js'

export default class Doctor extends GoblinCommand {
  static override summary = 'Check that this machine is ready to run goblin'
  static override description =
    'Runs every check (Node, GOBLIN_HOME, goblin.config.json, Docker engine, stack ports, signing key, OTLP endpoint, helm, kubectl, disk) and those plugins add. Exits 1 when any check fails.'
  static override examples = [
    '<%= config.bin %> doctor',
    '<%= config.bin %> doctor --only docker --only otlp --json',
  ]
  static override flags = {
    only: Flags.string({ description: 'run only the check with this id (repeatable)', multiple: true }),
  }

  async run(): Promise<DoctorReport> {
    const { flags } = await this.parse(Doctor)
    const report = await runDoctor({ hooks: this.config, only: flags.only })
    if (!this.jsonEnabled()) {
      const { renderDoctorReport } = await import('../src/ui/doctor-report.js')
      this.out(renderDoctorReport(report, this.stdoutFacts))
    }
    if (report.summary.fail > 0) process.exitCode = ExitCode.notOk
    return report
  }
}
