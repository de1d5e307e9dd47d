import { parentPort } from 'node:worker_threads'
import { checkRange, type EntryResults, type KeyTable } from './entry-check.js'

/** A worker thread of `verifyLedger`: checks each slice of lines it is sent into shared memory, answers the details. */
interface Job {
  id: number
  bytes: Uint8Array
  starts: Float64Array
  ends: Float64Array
  from: number
  to: number
  table: KeyTable
  out: EntryResults
}
parentPort?.on('message', (job: Job) => {
  const details = checkRange(job.bytes, job.starts, job.ends, job.from, job.to, job.table, job.out)
  parentPort?.postMessage({ id: job.id, details })
})
