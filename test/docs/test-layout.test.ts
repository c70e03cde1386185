import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

// Where a test lives and what its name says (ARCHITECTURE.md, Tests):
// - a test of a source file mirrors its path under test/, with an aspect
//   after the name when one source has several test files
//   (ingest/log/event-log.ts: test/ingest/log/event-log.engine.test.ts,
//   test/ingest/log/event-log.poisoned-segment.engine.test.ts); a folder or a
//   document mirrors the same way (docs/worked-examples/: test/docs/worked-examples.test.ts);
// - a test of the whole product, not of one source, lives in
//   test/scenarios/<area>/<behaviour>.<kind>.test.ts;
// - checks of the documents and of the tree's own rules live in test/docs/,
//   named after the document or the rule;
// - the suffix before .test.ts says what it needs: none (pure), .engine (the
//   real engine, maybe HTTP on loopback in its own process), .app (the built
//   product started by startApp), .browser (Chromium). Checked here by what
//   the file imports.
// Every test file follows it: there is no list of exceptions.

const root = path.resolve(import.meta.dirname, '../..')
type Kind = 'pure' | 'engine' | 'app' | 'browser'

/** What a test needs, by the shared modules and product modules it imports. */
const NEEDS: readonly [Kind, RegExp][] = [
  ['browser', /\/support\/(browser|real-apps?|real-app-scenario|customer-app)'/],
  ['app', /\/support\/(app-server|whole-app|app-load|stalewatch-admin)'/],
  ['engine', /\/support\/(engine|raw-events|stored-checks|ingest-server)'|'@\/lib\/store\/(client|run-query|migrate)'/],
]

function neededKind(source: string): Kind {
  const imports = [...source.matchAll(/^import [^;]*? from ('[^']+')/gm)].map((m) => m[1]).join('\n')
  return NEEDS.find(([, pattern]) => pattern.test(imports))?.[0] ?? 'pure'
}

function namedKind(file: string): Kind {
  const kind = /\.(engine|app|browser)\.test\.tsx?$/.exec(file)?.[1]
  return (kind as Kind | undefined) ?? 'pure'
}

/** What is wrong with a test file's place or name; null when it follows the rule. */
export function layoutProblem(file: string, source: string): string | null {
  const named = namedKind(file)
  const needed = neededKind(source)
  if (named !== needed) return `named ${named}, but its imports say ${needed}: name it …${needed === 'pure' ? '' : `.${needed}`}.test.ts`
  if (file.startsWith('test/docs/')) return null
  if (file.startsWith('test/scenarios/')) {
    return named === 'app' || named === 'browser' ? null : 'a scenario goes through the whole product: .app or .browser'
  }
  const stem = file.replace(/^test\//, '').replace(/(\.(engine|app|browser))?\.test\.tsx?$/, '')
  const mirrors = (candidate: string) => ['.ts', '.tsx', '.mjs', '.md', ''].some((ext) => existsSync(path.join(root, candidate + ext)))
  if (mirrors(stem) || mirrors(stem.replace(/\.[^./]+$/, ''))) return null
  return `names no source file or folder: test/<path of the source>[.<aspect>][.<kind>].test.ts, or test/scenarios/<area>/<behaviour>.<kind>.test.ts`
}

function testFiles(dir = 'test'): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((d) => {
    const rel = `${dir}/${d.name}`
    if (d.isDirectory()) return d.name === 'support' || d.name === 'artifacts' ? [] : testFiles(rel)
    return /\.test\.tsx?$/.test(d.name) ? [rel] : []
  })
}

describe('test layout (ARCHITECTURE.md, Tests)', () => {
  const files = testFiles()

  it('every test file follows the rule', () => {
    const problems = files
      .map((f) => [f, layoutProblem(f, readFileSync(path.join(root, f), 'utf8'))])
      .filter(([, problem]) => problem !== null)
    expect(Object.fromEntries(problems)).toEqual({})
  })

  it('knows a test by its name: mirrors, aspects and kinds', () => {
    expect(layoutProblem('test/lib/events/normalize.test.ts', "import { x } from '@/lib/events/normalize'")).toBeNull()
    expect(layoutProblem('test/ingest/log/event-log.poisoned-segment.engine.test.ts', "import { useEngine } from '../../support/engine'")).toBeNull()
    expect(layoutProblem('test/ingest/log/event-log.test.ts', "import { useEngine } from '../../support/engine'")).toMatch(/named pure, but its imports say engine/)
    expect(layoutProblem('test/ingest/no-such-source.test.ts', '')).toMatch(/names no source file/)
    expect(layoutProblem('test/scenarios/rollout/wave.app.test.ts', "import { startApp } from '../../support/app-server'")).toBeNull()
    expect(layoutProblem('test/scenarios/rollout/wave.engine.test.ts', "import { useEngine } from '../../support/engine'")).toMatch(/\.app or \.browser/)
  })
})
