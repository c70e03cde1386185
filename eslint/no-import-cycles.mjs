import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'

// A lint rule that fails every file standing in an import cycle, and names
// the cycle. ESLint sees one file at a time, so the rule reads the whole
// tree's imports once per lint run (as text: static, type-only, re-exports
// and import() with a literal path all count) and finds its strongly
// connected components. Tests are left out: they may import anything.

const ROOTS = ['app', 'ingest', 'lib', 'sdk/src', 'sdk/scripts', 'scripts', 'server.ts', 'proxy.ts', 'instrumentation.ts']
const EXTENSIONS = ['.ts', '.tsx', '.mts', '.js', '.mjs']
const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm

function sourceFiles(root, rel) {
  const full = path.join(root, rel)
  let stat
  try {
    stat = statSync(full)
  } catch {
    return []
  }
  if (stat.isFile()) return EXTENSIONS.includes(path.extname(rel)) ? [rel] : []
  return readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && EXTENSIONS.includes(path.extname(d.name)) && !d.parentPath.includes('node_modules'))
    .map((d) => path.relative(root, path.join(d.parentPath, d.name)))
}

function resolve(root, from, spec, known) {
  let base
  if (spec.startsWith('@/')) base = spec.slice(2)
  else if (spec.startsWith('.')) base = path.join(path.dirname(from), spec)
  else return null
  for (const candidate of [base, ...EXTENSIONS.map((e) => base + e), ...EXTENSIONS.map((e) => path.join(base, 'index' + e))]) {
    if (known.has(candidate)) return candidate
  }
  return null
}

/** Tarjan's strongly connected components of size > 1 (and self-imports). */
function cycles(graph) {
  let index = 0
  const stack = []
  const on = new Set()
  const idx = new Map()
  const low = new Map()
  const found = []
  const visit = (v) => {
    idx.set(v, index)
    low.set(v, index++)
    stack.push(v)
    on.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v), low.get(w)))
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)))
    }
    if (low.get(v) === idx.get(v)) {
      const component = []
      let w
      do {
        w = stack.pop()
        on.delete(w)
        component.push(w)
      } while (w !== v)
      if (component.length > 1 || graph.get(v)?.has(v)) found.push(component.sort())
    }
  }
  for (const v of graph.keys()) if (!idx.has(v)) visit(v)
  return found
}

const memo = new Map()
export function cyclesOf(root) {
  if (memo.has(root)) return memo.get(root)
  const files = ROOTS.flatMap((r) => sourceFiles(root, r))
  const known = new Set(files)
  const graph = new Map()
  for (const file of files) {
    const text = readFileSync(path.join(root, file), 'utf8')
    const targets = new Set()
    for (const m of text.matchAll(IMPORT)) {
      const target = resolve(root, file, m[1] ?? m[2] ?? m[3], known)
      if (target) targets.add(target)
    }
    graph.set(file, targets)
  }
  const byFile = new Map()
  for (const component of cycles(graph)) for (const file of component) byFile.set(file, component)
  memo.set(root, byFile)
  return byFile
}

export const noImportCycles = {
  meta: { type: 'problem', docs: { description: 'No file may stand in an import cycle (ARCHITECTURE.md: data flows one way).' }, schema: [] },
  create(context) {
    const root = context.cwd
    const file = path.relative(root, context.filename)
    return {
      Program(node) {
        const component = cyclesOf(root).get(file)
        if (component) context.report({ node, message: `Import cycle: ${component.join(' ⇄ ')}. Move what both need into a module of its own.` })
      },
    }
  },
}
