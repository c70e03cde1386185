import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { SETTINGS } from '@/lib/config'
import { settingsStart, SETTINGS_END, settingsTable } from '@/lib/config-docs'

// The settings are one schema (lib/config.ts): their lists in the README, in
// docs/security.md and in `npm start -- --help` are generated from it, and no
// other module reads the environment for a setting.

const root = path.resolve(import.meta.dirname, '../..')
const read = (file: string) => readFileSync(path.join(root, file), 'utf8')
const section = (markdown: string, doc: 'readme' | 'security') => {
  const start = markdown.indexOf(settingsStart(doc))
  expect(start, `${settingsStart(doc)} marker`).toBeGreaterThan(-1)
  return markdown.slice(start + settingsStart(doc).length + 1, markdown.indexOf(SETTINGS_END, start) - 1)
}

describe('the settings lists', () => {
  it("README.md's configuration table is the schema's (npm run docs:settings rewrites it)", () => {
    expect(section(read('README.md'), 'readme')).toBe(settingsTable('readme'))
  })

  it("docs/security.md's settings list is the schema's", () => {
    expect(section(read('docs/security.md'), 'security')).toBe(settingsTable('security'))
  })

  it('npm start -- --help names every setting', () => {
    const help = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/start.ts', '--help'], { cwd: root, encoding: 'utf8' })
    expect(help.status, help.stderr).toBe(0)
    for (const def of Object.values(SETTINGS)) expect(help.stdout).toContain(def.env)
  })
})

describe('reading the environment', () => {
  // Variables Next.js sets for itself, not settings of ours.
  const FRAMEWORK = new Set(['NODE_ENV', 'NEXT_RUNTIME', 'NEXT_PHASE'])
  // next.config.ts is loaded by Next.js's own loader, apart from the app: it reads its one build knob itself.
  const OWN_LOADER = new Set(['next.config.ts'])

  it('happens in lib/config.ts only, for every module of the product', () => {
    const files = ['app', 'lib', 'ingest']
      .flatMap((dir) => readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true }).filter((d) => d.isFile() && /\.tsx?$/.test(d.name)).map((d) => path.relative(root, path.join(d.parentPath, d.name))))
      .concat(['server.ts', 'proxy.ts', 'instrumentation.ts', 'next.config.ts'])
    const reads: string[] = []
    for (const file of files) {
      if (file === path.join('lib', 'config.ts') || OWN_LOADER.has(file)) continue
      for (const match of read(file).matchAll(/process\.env(?:\.([A-Z0-9_]+)|\[)/g)) {
        if (!FRAMEWORK.has(match[1] ?? '')) reads.push(`${file}: process.env${match[1] ? `.${match[1]}` : '['}`)
      }
    }
    expect(reads).toEqual([])
    expect(read('next.config.ts')).toContain(SETTINGS.nextDistDir.env)
  })
})
