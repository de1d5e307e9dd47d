#!/usr/bin/env node
// goblin's entry point. The Node check and the --version fast path run before oclif loads,
// so an old Node gets a clear message and `goblin --version` costs little more than `node -e 0`.
const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  process.stderr.write(
    `goblin needs Node.js 22 or newer; this is ${process.version}.\n` +
      'Install Node 22 LTS or newer, or run goblin through npx inside a clone of goblin, which brings its own Node.\n',
  )
  process.exit(2)
}

const args = process.argv.slice(2)
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  const { printVersion } = await import('../dist/src/cli/version.js')
  printVersion()
} else {
  const { execute } = await import('@oclif/core')
  await execute({ dir: import.meta.url })
}
