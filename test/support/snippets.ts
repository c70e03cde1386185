import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'

// The README's "add two lines" steps are diffs against the files a
// framework's scaffolder writes, kept in docs/examples/<app>/<file>.diff (the
// README and docs/sdk.md show them verbatim: test/docs/examples.test.ts).
// The real-app tests apply them here, the way a person follows them: find the
// lines shown as context (' ') and removed ('-'), put the added ('+') ones in.
// A line `...` separates places in the file. A snippet that no longer fits the
// scaffolded file fails, naming it: the README cannot drift.

const root = path.resolve(import.meta.dirname, '../..')
const examples = path.join(root, 'docs/examples')

export type ExampleApp = 'next' | 'vite-react' | 'vite-vue' | 'sveltekit' | 'astro' | 'react-router' | 'nuxt' | 'angular'

/** The files of one example folder, as [path in the app, diff text or null for a new file shown whole]. */
function exampleFiles(dir: string): [file: string, diff: string | null][] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => {
      const full = path.join(d.parentPath, d.name)
      const file = path.relative(dir, full)
      return file.endsWith('.diff') ? ([file.slice(0, -'.diff'.length), readFileSync(full, 'utf8')] as [string, string]) : ([file, null] as [string, null])
    })
    .sort(([a], [b]) => a.localeCompare(b))
}

/** The text with the diff applied; throws when a hunk's context is not in it. */
export function applyDiff(text: string, diff: string, name: string): string {
  const lines = text.split('\n')
  const hunks: string[][] = [[]]
  for (const line of diff.replace(/\n$/, '').split('\n')) {
    if (line.trim() === '...') hunks.push([])
    else hunks.at(-1)!.push(line)
  }
  let from = 0
  for (const hunk of hunks.filter((h) => h.length)) {
    // Indentation may differ from the page to the file; the words may not.
    const find = hunk.filter((l) => !l.startsWith('+')).map((l) => l.slice(1).trim())
    let at = -1
    for (let i = from; i + find.length <= lines.length && at < 0; i++) {
      if (find.every((f, k) => lines[i + k]!.trim() === f)) at = i
    }
    if (at < 0) throw new Error(`${name}: these lines are not in the file:\n${find.join('\n')}`)
    const out: string[] = []
    let k = at
    for (const l of hunk) {
      if (l.startsWith('+')) out.push(l.slice(1))
      else if (l.startsWith('-')) k++
      else out.push(lines[k++]!)
    }
    lines.splice(at, k - at, ...out)
    from = at + out.length
  }
  return lines.join('\n')
}

/** Applies an example folder to the app at `dir`: new files copied, diffs applied. */
function applyExamples(folder: string, dir: string): string[] {
  const edited: string[] = []
  for (const [file, diff] of exampleFiles(path.join(examples, folder))) {
    const full = path.join(dir, file)
    if (diff === null) {
      mkdirSync(path.dirname(full), { recursive: true })
      copyFileSync(path.join(examples, folder, file), full)
    } else writeFileSync(full, applyDiff(readFileSync(full, 'utf8'), diff, `docs/examples/${folder}/${file}.diff`))
    edited.push(file)
  }
  return edited
}

/** Follows the README's steps for `app` in the scaffolded app at `dir`. */
export const instrumentApp = (app: ExampleApp, dir: string): string[] => applyExamples(app, dir)

/** Then docs/backend-load.md's steps for a Next.js app: tag requests in the browser, count them in a route handler. */
export const instrumentBackendLoad = (dir: string): string[] => applyExamples('backend-load/next', dir)
