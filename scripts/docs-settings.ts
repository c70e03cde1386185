import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { withSettingsTable } from '../lib/config-docs'
import { withKindsTable } from '../lib/semantics/event-kinds-docs'
import type { SettingDoc } from '../lib/config'

const HELP = `Usage: npm run docs:settings [-- --check]

Rewrites the generated tables of the docs between their markers: the
settings tables of README.md (Configuration) and docs/security.md (Settings)
from the one schema in lib/config.ts (<!-- settings:… --> … <!-- /settings -->),
and docs/semantics.md's event kinds from lib/semantics/event-kinds.ts
(<!-- kinds: … --> … <!-- /kinds -->).

Options:
  --check   change nothing; exit 1 and name the files that differ
  --help    this text`

const FILES: [string, (markdown: string) => string][] = [
  ['README.md', (md) => withSettingsTable(md, 'readme' satisfies SettingDoc)],
  ['docs/security.md', (md) => withSettingsTable(md, 'security' satisfies SettingDoc)],
  ['docs/semantics.md', withKindsTable],
]

function main(): void {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } })
  if (values.help) {
    console.log(HELP)
    return
  }
  const root = path.resolve(import.meta.dirname, '..')
  const stale: string[] = []
  for (const [file, rewrite] of FILES) {
    const full = path.join(root, file)
    const before = readFileSync(full, 'utf8')
    const after = rewrite(before)
    if (after === before) continue
    stale.push(file)
    if (!values.check) writeFileSync(full, after)
  }
  if (values.check && stale.length > 0) {
    console.error(`Generated tables differ from their source in: ${stale.join(', ')}. Run npm run docs:settings.`)
    process.exit(1)
  }
  console.log(stale.length === 0 ? 'Generated tables are current.' : `Rewrote: ${stale.join(', ')}`)
}

main()
