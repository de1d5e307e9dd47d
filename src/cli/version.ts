import { readFileSync } from 'node:fs'

/** Prints the same line as oclif's `--version` (`@goblinos/cli/0.1.0 linux-x64 node-v24.1.0`) without loading oclif. */
export function printVersion(): void {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    name: string
    version: string
  }
  process.stdout.write(
    `${pkg.name}/${pkg.version} ${process.platform}-${process.arch} node-${process.version}\n`,
  )
}
