/** One entry of dist/vendor/vendor.json: the bundle of a package and its module format. */
export interface VendoredPackage {
  file: string
  format: 'commonjs' | 'module'
}

type Resolved = { url: string; format?: string | null; shortCircuit?: boolean }
type NextResolve = (specifier: string, context: { parentURL?: string; conditions?: string[] }) => Resolved

/** The package a bare specifier names: `@scope/name` or `name`, without a subpath (`pkg/node-http`). */
export function packageName(specifier: string): string {
  return specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/')
}

/** The `node_modules/<package>/` directory a resolved URL of a specifier (maybe a subpath) lies in, or null. */
export function packageDir(url: string, specifier: string): string | null {
  const marker = `/node_modules/${packageName(specifier)}/`
  const at = url.lastIndexOf(marker)
  return at === -1 ? null : url.slice(0, at + marker.length)
}

/**
 * The resolve hook bin/run.js registers (module.registerHooks): an import of a vendored package that would
 * load goblin's own installed copy loads its one-file bundle instead; any other import, including a plugin's
 * of its own copy (another version, elsewhere), resolves as Node would. `ownParent` is a URL inside goblin,
 * from which goblin's copy of each package is resolved once.
 */
export function vendorResolver(vendored: Record<string, VendoredPackage>, vendorDir: URL, ownParent: string) {
  const ownDir: Record<string, string | null> = {}
  return (specifier: string, context: { parentURL?: string; conditions?: string[] }, next: NextResolve) => {
    const resolved = next(specifier, context)
    const bundle = vendored[specifier]
    if (!bundle) return resolved
    if (!(specifier in ownDir))
      ownDir[specifier] = packageDir(next(specifier, { ...context, parentURL: ownParent }).url, specifier)
    if (packageDir(resolved.url, specifier) !== ownDir[specifier]) return resolved
    return { url: new URL(bundle.file, vendorDir).href, format: bundle.format, shortCircuit: true }
  }
}
