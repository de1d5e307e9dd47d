import type { Hook } from '@oclif/core'

/** oclif `finally`: ends and exports the command's span (with its exit code) before goblin exits. */
const hook: Hook<'finally'> = async ({ error }) => {
  const { endCommandSpan } = await import('../self-tracing.js')
  const exit = (error as { oclif?: { exit?: number } } | undefined)?.oclif?.exit
  const code = exit ?? (error ? 1 : Number(process.exitCode ?? 0))
  await endCommandSpan(code, error && exit !== 0 ? error : undefined)
}

export default hook
