import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

// docs/sdk.md and README.md show docs/examples/*.tsx verbatim between snippet markers; the
// example files are type-checked with the repo and run in Chromium
// (test/browser/sdk-embeds.test.ts), so the docs cannot show code that no longer works.

const root = path.resolve(import.meta.dirname, '../..')
const read = (file: string) => readFileSync(path.join(root, file), 'utf8')

describe.each(['docs/sdk.md', 'README.md'])('%s snippets', (doc) => {
  it('shows each docs/examples file exactly as it is', () => {
    const docs = read(doc)
    const blocks = [...docs.matchAll(/<!-- snippet: (\S+)[^>]*-->\n```\w*\n([\s\S]*?)```\n<!-- \/snippet -->/g)]
    expect(blocks.map((b) => b[1])).toContain('docs/examples/next-client.tsx')
    for (const [, file, shown] of blocks) expect(shown, `${file} in ${doc}`).toBe(read(file!))
  })
})
