// node --import ./bench/peak-rss.mjs …: writes the process's peak resident set (KiB, getrusage maxrss)
// to $PEAK_RSS_FILE when it exits, so a benchmark can measure a real CLI run's memory.
import { writeFileSync } from 'node:fs'

process.on('exit', () => {
  if (process.env.PEAK_RSS_FILE)
    writeFileSync(process.env.PEAK_RSS_FILE, String(process.resourceUsage().maxRSS))
})
