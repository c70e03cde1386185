import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

// Every relative link in README.md and docs/ must lead somewhere inside the
// repository: to a file that exists and, with #anchor, to a heading of it.

const root = path.resolve(import.meta.dirname, '../..')

function markdownFiles(): string[] {
  const docs = readdirSync(path.join(root, 'docs'), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.md'))
    .map((d) => path.join(d.parentPath, d.name))
  return [path.join(root, 'README.md'), ...docs]
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-')
}

function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>()
  const anchors = new Set<string>()
  let fenced = false
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('```')) fenced = !fenced
    const heading = !fenced && /^#{1,6} (.+)$/.exec(line)
    if (!heading) continue
    const base = slug(heading[1]!)
    const n = seen.get(base) ?? 0
    seen.set(base, n + 1)
    anchors.add(n === 0 ? base : `${base}-${n}`)
  }
  return anchors
}

/** Links outside code: [text](target) and <a href="target">. */
function linksOf(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '')
  const links = [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!)
  return [...links, ...[...text.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!)]
}

describe('links in README.md and docs/', () => {
  const files = markdownFiles()
  it('finds the documents', () => {
    expect(files.map((f) => path.relative(root, f))).toContain('docs/security.md')
  })

  for (const file of files) {
    it(`every relative link of ${path.relative(root, file)} resolves inside the repository`, () => {
      const broken: string[] = []
      for (const link of linksOf(file)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue // https:, mailto: — not a path
        const [target, anchor] = link.split('#') as [string, string | undefined]
        const resolved = target === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(target))
        if (!resolved.startsWith(root + path.sep)) {
          broken.push(`${link}: outside the repository`)
          continue
        }
        if (!existsSync(resolved)) {
          broken.push(`${link}: no such file`)
          continue
        }
        if (anchor !== undefined && statSync(resolved).isFile() && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor)) {
          broken.push(`${link}: no heading #${anchor} in ${path.relative(root, resolved)}`)
        }
      }
      expect(broken).toEqual([])
    })
  }
})
