/**
 * A goblin or task id as it may travel in OTEL_RESOURCE_ATTRIBUTES: the SDKs that read the variable
 * (Node.js, Rust, Python, Go) do not agree on percent-decoding, so only characters none of them encodes
 * are accepted.
 */
export const LABEL_PATTERN = /^[A-Za-z0-9._:/@+-]{1,128}$/

/**
 * OTEL_RESOURCE_ATTRIBUTES (`k=v,k=v`) with `extra` set, replacing entries of the same keys the user
 * had; undefined when there is nothing to say.
 */
export function mergeResourceAttributes(
  current: string | undefined,
  extra: Record<string, string | undefined>,
): string | undefined {
  const set = Object.entries(extra).filter((e): e is [string, string] => e[1] !== undefined)
  const kept = (current ?? '')
    .split(',')
    .map((pair) => pair.trim())
    .filter((pair) => pair && !set.some(([key]) => pair.split('=')[0]?.trim() === key))
  const all = [...kept, ...set.map(([key, value]) => `${key}=${value}`)]
  return all.length > 0 ? all.join(',') : undefined
}
