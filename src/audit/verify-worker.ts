import { parentPort, workerData } from 'node:worker_threads'
import { checkRange, type EntryResults, type KeyTable } from './entry-check.js'

/** A worker thread of `verifyLedger`: checks one slice of lines into shared memory, posts the details. */
const job = workerData as {
  bytes: Uint8Array
  starts: Float64Array
  ends: Float64Array
  from: number
  to: number
  table: KeyTable
  out: EntryResults
}
parentPort?.postMessage(checkRange(job.bytes, job.starts, job.ends, job.from, job.to, job.table, job.out))
