import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

// ARCHITECTURE.md's code map is held to the tree: every path it names exists,
// and every folder of lib/, app/ and ingest/ is named, so a new room cannot go unmapped
// and a moved one cannot leave a stale entry.

const root = path.resolve(import.meta.dirname, '../..')
const text = readFileSync(path.join(root, 'ARCHITECTURE.md'), 'utf8')
const map = text.slice(text.indexOf('<!-- code-map'), text.indexOf('<!-- /code-map -->'))
const mapped = [...map.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!)

describe("ARCHITECTURE.md's code map", () => {
  it('names paths that exist', () => {
    expect(mapped.length).toBeGreaterThan(10)
    for (const entry of mapped) expect(existsSync(path.join(root, entry)), entry).toBe(true)
  })

  it('names every folder of lib/, app/ and ingest/', () => {
    const folders = (dir: string) =>
      readdirSync(path.join(root, dir), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => `${dir}/${d.name}/`)
    for (const folder of [...folders('lib'), ...folders('app'), ...folders('ingest')]) expect(mapped, folder).toContain(folder)
  })
})
