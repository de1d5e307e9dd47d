// Takes the audit file lock at argv[2] and holds it until killed, printing `held <pid>` once it has it:
// the signer whose death (or survival) the stale-lock tests judge. Runs on the built code (npm run build).
import { acquireFileLock } from '../../../dist/src/audit/file-lock.js'

await acquireFileLock(process.argv[2], 60_000)
process.stdout.write(`held ${process.pid}\n`)
setInterval(() => {}, 60_000)
