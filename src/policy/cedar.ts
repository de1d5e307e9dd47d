/**
 * The Cedar evaluator (`@cedar-policy/cedar-wasm`, the Rust implementation as WebAssembly), loaded on first
 * use: only the policy commands, the guard and the hook pay for it (about 45 ms on this machine: docs/policy.md).
 */
export type Cedar = typeof import('@cedar-policy/cedar-wasm/nodejs')

let loading: Promise<Cedar> | undefined

/** The Cedar module, imported once per process. */
export function loadCedar(): Promise<Cedar> {
  loading ??= import('@cedar-policy/cedar-wasm/nodejs')
  return loading
}
