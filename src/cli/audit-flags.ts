import * as Flags from '@oclif/core/flags'

/** The keys an audit reader trusts: `--key` verifier keys (no validity window) or an exported `--keyring`. */
export const trustFlags = {
  key: Flags.string({
    description: 'trust this verifier key, without a validity window (repeatable)',
    multiple: true,
    multipleNonGreedy: true,
  }),
  keyring: Flags.string({ description: 'trust the keys (and windows) of this exported keyring JSON' }),
}
