import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

// The worked examples (docs/worked-examples/) are patches against the tree: a
// change to a file they touch would leave them describing code that is gone.
// Each must still apply, and touch no more files than its README says.

const root = path.resolve(import.meta.dirname, '../..')
const dir = path.join(root, 'docs/worked-examples')
const readme = readFileSync(path.join(dir, 'README.md'), 'utf8')
const patches = readdirSync(dir).filter((f) => f.endsWith('.patch'))

/** The files a patch touches, from its `diff --git` lines. */
const filesOf = (patch: string) => [...readFileSync(path.join(dir, patch), 'utf8').matchAll(/^diff --git a\/(\S+) b\//gm)].map((m) => m[1])

describe('docs/worked-examples', () => {
  it('holds the two examples the README describes', () => {
    expect(patches.sort()).toEqual(['new-event-column.patch', 'new-wire-event-type.patch'])
  })

  it.each(patches)('%s still applies to the tree', (patch) => {
    // Throws with git's message (the file and hunk that no longer match) when it does not.
    execFileSync('git', ['apply', '--check', path.join(dir, patch)], { cwd: root, stdio: 'pipe' })
  })

  it.each(patches)('%s touches the files its README section names, and no more', (patch) => {
    const section = readme.slice(readme.indexOf(`## \`${patch}\``)).split('\n## ')[0]!
    const count = Number(/, (\d+) files?$/m.exec(section.split('\n')[0]!)?.[1])
    const files = filesOf(patch)
    expect(files.length).toBe(count)
    for (const file of files) expect(section).toContain(`| \`${file}\` |`)
  })
})
