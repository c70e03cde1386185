import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

// README.md and docs/sdk.md show the files of docs/examples/ verbatim between
// snippet markers: the framework steps as diffs against the scaffolders'
// files, which the real-app tests (test/apps/) apply to apps those
// scaffolders make. So the docs cannot show steps that no longer work.

const root = path.resolve(import.meta.dirname, '../..')
const read = (file: string) => readFileSync(path.join(root, file), 'utf8')
const examples = readdirSync(path.join(root, 'docs/examples'), { recursive: true, withFileTypes: true })
  .filter((d) => d.isFile())
  .map((d) => path.relative(root, path.join(d.parentPath, d.name)))
  .sort()

describe.each(['README.md', 'docs/sdk.md'])('%s snippets', (doc) => {
  it('shows every docs/examples file, each exactly as it is', () => {
    expect(examples.length).toBeGreaterThanOrEqual(8)
    const blocks = [...read(doc).matchAll(/<!-- snippet: (\S+)[^>]*-->\n```\w*\n([\s\S]*?)```\n<!-- \/snippet -->/g)]
    expect(blocks.map((b) => b[1]).sort()).toEqual(examples)
    for (const [, file, shown] of blocks) expect(shown, `${file} in ${doc}`).toBe(read(file!))
  })
})
