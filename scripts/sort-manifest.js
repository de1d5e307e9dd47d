// Orders oclif.manifest.json's commands by id. `oclif manifest` writes them in the order the build's files
// are listed, which differs between checkouts, so the same commands made large diffs; sorted, a change to
// the manifest is a change to a command. `npm run manifest` runs this after `oclif manifest`.
import { readFileSync, writeFileSync } from 'node:fs'

const path = new URL('../oclif.manifest.json', import.meta.url)
const manifest = JSON.parse(readFileSync(path, 'utf8'))
const ids = Object.keys(manifest.commands).sort()
manifest.commands = Object.fromEntries(ids.map((id) => [id, manifest.commands[id]]))
writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`)
