import type { StackPlan } from '../stack/stack-plan.js'
import { startOrder } from '../stack/stack-plan.js'

/** The plan for people: one block per service in start order, then the network and volumes. */
export function renderPlan(plan: StackPlan, options: { color: boolean }): string {
  const bold = (s: string) => (options.color ? `\u001B[1m${s}\u001B[22m` : s)
  const lines: string[] = []
  for (const name of startOrder(plan.services).flat()) {
    const s = plan.services.find((x) => x.name === name)
    if (!s) continue
    lines.push(bold(s.name) + (s.source === 'goblin' ? '' : `  (from plugin ${s.source})`))
    lines.push(`  image       ${s.image}${s.imageSource === 'default' ? '' : `  (${s.imageSource})`}`)
    if (s.command) lines.push(`  command     ${s.command.join(' ')}`)
    for (const p of s.ports)
      lines.push(`  port        ${p.name}: 127.0.0.1:${p.host} -> ${p.container}/${p.protocol}`)
    for (const m of s.mounts)
      lines.push(`  mount       ${m.source} -> ${m.target}${m.readOnly ? ' (ro)' : ''}`)
    for (const v of s.volumes) lines.push(`  volume      ${v.name} -> ${v.target}`)
    for (const [k, v] of Object.entries(s.env)) lines.push(`  env         ${k}=${v}`)
    if (s.dependsOn.length > 0) lines.push(`  after       ${s.dependsOn.join(', ')}`)
    const h = s.healthcheck
    if (h?.http) lines.push(`  health      GET :${h.http.port}${h.http.path} within ${h.timeoutSeconds} s`)
    else if (h?.command) lines.push(`  health      ${h.command.join(' ')} within ${h.timeoutSeconds} s`)
    lines.push('')
  }
  lines.push(`network  ${plan.network}`)
  lines.push(`volumes  ${plan.volumes.join(', ')}`)
  return lines.join('\n')
}
