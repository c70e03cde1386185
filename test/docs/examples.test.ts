import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { README_COMMANDS } from '../support/package-managers'

// README.md and docs/sdk.md show the files of docs/examples/ verbatim between
// snippet markers: the framework steps as diffs against the scaffolders'
// files, which the real-app tests (test/scenarios/apps/) apply to apps those
// scaffolders make. So the docs cannot show steps that no longer work.
// docs/backend-load.md shows docs/examples/backend-load/ the same way (the
// Next.js app test follows it too).

const root = path.resolve(import.meta.dirname, '../..')
const read = (file: string) => readFileSync(path.join(root, file), 'utf8')
const examples = readdirSync(path.join(root, 'docs/examples'), { recursive: true, withFileTypes: true })
  .filter((d) => d.isFile())
  .map((d) => path.relative(root, path.join(d.parentPath, d.name)))
  .sort()

const backendLoad = (file: string) => file.startsWith('docs/examples/backend-load/')

describe.each([
  ['README.md', examples.filter((f) => !backendLoad(f))],
  ['docs/sdk.md', examples.filter((f) => !backendLoad(f))],
  ['docs/backend-load.md', examples.filter(backendLoad)],
])('%s snippets', (doc, shows) => {
  it('shows every one of its docs/examples files, each exactly as it is', () => {
    expect(shows.length).toBeGreaterThanOrEqual(4)
    const blocks = [...read(doc).matchAll(/<!-- snippet: (\S+)[^>]*-->\n```\w*\n([\s\S]*?)```\n<!-- \/snippet -->/g)]
    expect(blocks.map((b) => b[1]).sort()).toEqual(shows)
    for (const [, file, shown] of blocks) expect(shown, `${file} in ${doc}`).toBe(read(file!))
  })
})

// The install and CLI commands the README gives per package manager are the
// ones the real-app tests run (test/support/package-managers.ts).
describe('README.md package managers', () => {
  it('gives each manager\'s registry, tarball, CLI and build command, as the real-app tests run them', () => {
    const readme = read('README.md')
    for (const [manager, commands] of Object.entries(README_COMMANDS)) {
      for (const [what, line] of Object.entries(commands)) expect(readme, `${manager} ${what}`).toContain(`\`${line}\``)
    }
  })
})
