#!/usr/bin/env node
// Runs goblin from the compiled tree with oclif's development settings (no manifest cache).
const { oclifDirsEnv } = await import('../dist/src/plugins/oclif-dirs.js')
Object.assign(process.env, oclifDirsEnv(process.env))
const { execute } = await import('@oclif/core')
await execute({ development: true, dir: import.meta.url })
