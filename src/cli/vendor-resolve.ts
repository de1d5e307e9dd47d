import { isBuiltin } from 'node:module'

/** One entry of dist/vendor/vendor.json: the bundle of a package and its module format. */
export interface VendoredPackage {
  file: string
  format: 'commonjs' | 'module'
}

type Resolved = { url: string; format?: string | null; shortCircuit?: boolean }
type ResolveContext = { parentURL?: string; conditions?: string[] }
type NextResolve = (specifier: string, context: ResolveContext) => Resolved

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
 *
 * Each answer is kept: Node resolves an import or require again for every module that makes it (its loader
 * keeps answers per importing file), each time a walk of node_modules and package.json files (an
 * instrumented `trace exec` resolved 158 times, `@opentelemetry/api` 56 of them). The answer depends only on
 * the specifier, the importing module's directory and the conditions (import or require). Built-in modules
 * are answered without asking, and so is a relative `.js` import by one of goblin's compiled modules (under
 * `ownModules`, its dist/): tsc's output is ES modules in one package of plain files, which Node's checks on
 * disk (a stat, the real path, the package scope) cannot change; a missing file is then an error when it
 * loads. Together about a tenth of a command's CPU (bench/README.md).
 */
export function vendorResolver(
  vendored: Record<string, VendoredPackage>,
  vendorDir: URL,
  ownParent: string,
  ownModules: string,
) {
  const ownDir: Record<string, string | null> = {}
  const answers = new Map<string, Resolved>()
  const resolveOnce = (specifier: string, context: ResolveContext, next: NextResolve): Resolved => {
    const resolved = next(specifier, context)
    const bundle = vendored[specifier]
    if (!bundle) return resolved
    if (!(specifier in ownDir))
      ownDir[specifier] = packageDir(next(specifier, { ...context, parentURL: ownParent }).url, specifier)
    if (packageDir(resolved.url, specifier) !== ownDir[specifier]) return resolved
    return { url: new URL(bundle.file, vendorDir).href, format: bundle.format, shortCircuit: true }
  }
  return (specifier: string, context: ResolveContext, next: NextResolve): Resolved => {
    const parent = context.parentURL ?? ''
    if (parent.startsWith(ownModules) && /^\.\.?\//.test(specifier) && specifier.endsWith('.js'))
      return { url: new URL(specifier, parent).href, format: 'module', shortCircuit: true }
    if (isBuiltin(specifier))
      return {
        url: specifier.startsWith('node:') ? specifier : `node:${specifier}`,
        format: 'builtin',
        shortCircuit: true,
      }
    const key = `${specifier}\0${parent.slice(0, parent.lastIndexOf('/') + 1)}\0${context.conditions?.join(',') ?? ''}`
    let answer = answers.get(key)
    if (!answer) {
      // Kept answers are given without asking Node, which a hook must say (shortCircuit).
      answer = { ...resolveOnce(specifier, context, next), shortCircuit: true }
      answers.set(key, answer)
    }
    return answer
  }
}
