// A real appending process for the crash and concurrency tests: appends `batches` batches of `size`
// events to the ledger with the built goblin library, printing "ack <first> <last>" after each durable
// append. Usage: node appender.mjs KEYS_DIR LEDGER_DIR BATCHES SIZE PAD_BYTES
import { loadSigner } from '../../../dist/src/audit/keyring.js'
import { appendEvents } from '../../../dist/src/audit/ledger.js'

const [keysDir, ledgerDir, batches, size, pad] = process.argv.slice(2)
const { signer } = loadSigner(keysDir)
const padding = 'x'.repeat(Number(pad))
for (let b = 0; b < Number(batches); b++) {
  const events = Array.from({ length: Number(size) }, (_, i) => ({
    goblin_id: `pid-${process.pid}`,
    action: `batch-${b}-${i}`,
    decision: 'allow',
    trace_id: null,
    attrs: { padding },
  }))
  const entries = await appendEvents(ledgerDir, events, signer)
  process.stdout.write(`ack ${entries[0].seq} ${entries.at(-1).seq}\n`)
}
