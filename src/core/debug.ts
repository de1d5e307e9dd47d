/** True when `DEBUG` names goblin (`goblin`, `goblin*`, `goblin:*`, `*`), the switch for stack traces. */
export function isDebugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.DEBUG
  if (!value) return false
  return value
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((pattern) => {
      if (pattern.startsWith('-')) return false
      const regex = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`)
      return regex.test('goblin') || regex.test('goblin:cli')
    })
}
