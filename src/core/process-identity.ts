import { readFileSync, readlinkSync } from 'node:fs'

/**
 * Who a process is, beyond its pid: pids are reused (a new container's signer is PID 1 again, a busy
 * machine wraps around), so a lock or pid file that names only a pid can name the wrong process. On Linux
 * the kernel says more: the boot (a pid from before a reboot names nothing now), the pid namespace (a pid
 * means something only inside its own), and the process's start time (a reused pid starts later).
 * Everything here is null where /proc does not say (other systems), and callers then fall back to the pid.
 */

/** This kernel boot's random id (/proc/sys/kernel/random/boot_id). */
export function bootId(): string | null {
  return readTrimmed('/proc/sys/kernel/random/boot_id')
}

/** The pid namespace this process lives in, as `pid:[inode]`; pids are only comparable inside one. */
export function pidNamespace(): string | null {
  try {
    return readlinkSync('/proc/self/ns/pid')
  } catch {
    return null
  }
}

/** When process `pid` started, in clock ticks since boot (/proc/PID/stat field 22); null when it is gone. */
export function processStartTime(pid: number): string | null {
  const stat = readTrimmed(`/proc/${pid}/stat`)
  if (!stat) return null
  // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return fields[19] ?? null
}

/** The environment process `pid` started with (readable for one's own processes); null when unreadable. */
export function processEnvironment(pid: number): Map<string, string> | null {
  let raw: string
  try {
    raw = readFileSync(`/proc/${pid}/environ`, 'utf8')
  } catch {
    return null
  }
  const env = new Map<string, string>()
  for (const entry of raw.split('\0')) {
    const eq = entry.indexOf('=')
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1))
  }
  return env
}

/** This process as a lock or pid file records it. */
export interface ProcessIdentity {
  pid: number
  boot: string | null
  pidns: string | null
  start: string | null
}

/** The identity of this process (or of `pid`, a process this one can see, such as a child). */
export function processIdentity(pid: number = process.pid): ProcessIdentity {
  return { pid, boot: bootId(), pidns: pidNamespace(), start: processStartTime(pid) }
}

/**
 * Whether the process a record made on this machine names is certainly gone: `gone` (the record is from an
 * earlier boot, or its pid is free or belongs to a process that started at another time), `alive`, or
 * `unknown` when this process cannot check (another pid namespace). Without /proc the pid alone decides.
 */
export function recordedProcessState(recorded: ProcessIdentity): 'alive' | 'gone' | 'unknown' {
  const here = processIdentity()
  if (recorded.boot && here.boot) {
    if (recorded.boot !== here.boot) return 'gone'
    if (recorded.pidns !== here.pidns) return 'unknown'
    const start = processStartTime(recorded.pid)
    return start !== null && start === recorded.start ? 'alive' : 'gone'
  }
  try {
    process.kill(recorded.pid, 0)
    return 'alive'
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? 'alive' : 'gone'
  }
}

function readTrimmed(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim()
  } catch {
    return null
  }
}
