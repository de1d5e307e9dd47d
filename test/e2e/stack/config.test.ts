import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseJson, runGoblin, tempDir } from '../../helpers/cli.js'

interface PlanDoc {
  network: string
  services: Array<{
    name: string
    image: string
    imageSource: string
    env: Record<string, string>
    ports: Array<{ name: string; host: number }>
  }>
  volumes: string[]
  warnings: string[]
}

describe('goblin stack config', () => {
  let home: ReturnType<typeof tempDir>
  let project: ReturnType<typeof tempDir>
  beforeEach(() => {
    home = tempDir()
    project = tempDir('goblin-project-')
  })
  afterEach(() => {
    home.cleanup()
    project.cleanup()
  }, 120_000)

  it('prints the plan with overrides from goblin.config.json and --image, secrets redacted', async () => {
    writeFileSync(
      join(project.path, 'goblin.config.json'),
      JSON.stringify({ stack: { images: { tempo: 'example/tempo:9' }, ports: { grafana: 13000 } } }),
    )
    const run = await runGoblin(['stack', 'config', '--json', '--image', 'grafana=example/grafana:9'], {
      cwd: project.path,
      env: { GOBLIN_HOME: home.path, GOBLIN_OTLP_API_KEY: 'key-that-must-not-print' },
    })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stdout).not.toContain('key-that-must-not-print')
    const plan = parseJson<PlanDoc>(run)
    expect(plan.network).toBe('goblin')
    const byName = Object.fromEntries(plan.services.map((s) => [s.name, s]))
    expect(byName.grafana).toMatchObject({ image: 'example/grafana:9', imageSource: 'flag' })
    expect(byName.grafana?.ports[0]?.host).toBe(13000)
    expect(byName.tempo).toMatchObject({ image: 'example/tempo:9', imageSource: 'config' })
    expect(byName['otel-collector']?.env.GOBLIN_OTLP_API_KEY).toBe('***')

    const human = await runGoblin(['stack', 'config'], { cwd: project.path, env: { GOBLIN_HOME: home.path } })
    expect(human.stdout).toContain('grafana: 127.0.0.1:13000 -> 3000/tcp')
    expect(human.stdout).toMatch(/health\s+GET :3200\/ready/)
  }, 120_000)

  it('an unknown service in --image or stack.images exits 2 naming it', async () => {
    const flag = await runGoblin(['stack', 'config', '--image', 'jaeger=x:1'], {
      cwd: project.path,
      env: { GOBLIN_HOME: home.path },
    })
    expect(flag.exitCode).toBe(2)
    expect(flag.stderr).toContain('--image: the stack has no service named jaeger')
    expect(flag.stderr).toContain('Services are: tempo, loki, prometheus, otel-collector, grafana')
    writeFileSync(
      join(project.path, 'goblin.config.json'),
      JSON.stringify({ stack: { ports: { graphana: 1 } } }),
    )
    const port = await runGoblin(['stack', 'config'], { cwd: project.path, env: { GOBLIN_HOME: home.path } })
    expect(port.exitCode).toBe(2)
    expect(port.stderr).toContain('stack.ports.graphana')
  }, 120_000)
})
