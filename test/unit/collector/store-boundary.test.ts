import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * The span store owns its database (issue 11): every query over its file is a typed function in
 * src/collector, other domains call those, and src/collector imports nothing from src/cost, so the two
 * never form an import cycle. Read from the sources as they are, type-only and dynamic imports included.
 */
const ROOT = resolve(import.meta.dirname, '../../..')

/** Every module path a TypeScript source imports or re-exports: static, `import type`, and `import()`. */
function importsOf(source: string): string[] {
  const specifiers: string[] = []
  const patterns = [
    /(?:^|\s)(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ]
  for (const pattern of patterns)
    for (const match of source.matchAll(pattern)) specifiers.push(match[1] as string)
  for (const match of source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) specifiers.push(match[1] as string)
  return specifiers
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name))
}

/** The import graph of src/ and commands/, file to files (relative imports only; `.js` names the `.ts`). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  for (const file of [...sourceFiles(join(ROOT, 'src')), ...sourceFiles(join(ROOT, 'commands'))]) {
    const targets = importsOf(readFileSync(file, 'utf8'))
      .filter((s) => s.startsWith('.'))
      .map((s) => relative(ROOT, resolve(dirname(file), s.replace(/\.js$/, '.ts'))))
    graph.set(relative(ROOT, file), targets)
  }
  return graph
}

/** A chain of imports from a file under `from` to one under `to`, or null when there is none. */
function importPath(graph: Map<string, string[]>, from: string, to: string): string[] | null {
  const previous = new Map<string, string | null>()
  const queue = [...graph.keys()].filter((f) => f.startsWith(from))
  for (const f of queue) previous.set(f, null)
  for (let i = 0; i < queue.length; i++) {
    const file = queue[i] as string
    if (file.startsWith(to)) {
      const chain = [file]
      for (let p = previous.get(file); p; p = previous.get(p)) chain.unshift(p)
      return chain
    }
    for (const next of graph.get(file) ?? []) {
      if (previous.has(next)) continue
      previous.set(next, file)
      queue.push(next)
    }
  }
  return null
}

describe('the span store owns its database', () => {
  it('reads every kind of import, so a cycle cannot hide behind a type-only or dynamic one', () => {
    const source = `import type { A } from '../cost/a.js'
import { b } from "./b.js"
export { c } from './c.js'
export type { D } from '../d.js'
import './side-effect.js'
const { e } = await import('../cost/e.js')`
    expect(importsOf(source).sort()).toEqual(
      ['../cost/a.js', './b.js', './c.js', '../d.js', './side-effect.js', '../cost/e.js'].sort(),
    )
  })

  it('finds a chain of imports through other domains', () => {
    const graph = new Map([
      ['src/collector/x.ts', ['src/llm/y.ts']],
      ['src/llm/y.ts', ['src/cost/z.ts']],
      ['src/cost/z.ts', []],
    ])
    expect(importPath(graph, 'src/collector/', 'src/cost/')).toEqual([
      'src/collector/x.ts',
      'src/llm/y.ts',
      'src/cost/z.ts',
    ])
  })

  it('src/collector imports nothing of src/cost, directly or through another module', () => {
    const graph = importGraph()
    expect(graph.get('src/cost/embedded-usage.ts')).toContain('src/collector/span-store.ts')
    expect(importPath(graph, 'src/collector/', 'src/cost/')).toBeNull()
  })

  it('no module outside src/collector opens SQLite or reaches for a store’s db', () => {
    const offenders = [...sourceFiles(join(ROOT, 'src')), ...sourceFiles(join(ROOT, 'commands'))]
      .filter((file) => !relative(ROOT, file).startsWith('src/collector/'))
      .filter((file) => {
        const text = readFileSync(file, 'utf8')
        return /['"]node:sqlite['"]/.test(text) || /\.db\b\s*[.)]/.test(text)
      })
      .map((file) => relative(ROOT, file))
    expect(offenders).toEqual([])
  })
})
