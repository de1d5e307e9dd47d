// node --import ./bench/peak-rss.mjs …: writes the process's peak resident set (KiB) to $PEAK_RSS_FILE
// when it exits, so a benchmark can measure a real CLI run's memory. VmHWM, not getrusage's maxrss:
// Linux carries maxrss across exec, so a child of a large benchmark process would report the parent's.
import { readFileSync, writeFileSync } from 'node:fs'

process.on('exit', () => {
  if (!process.env.PEAK_RSS_FILE) return
  const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))
  writeFileSync(process.env.PEAK_RSS_FILE, hwm ? hwm[1] : String(process.resourceUsage().maxRSS))
})
