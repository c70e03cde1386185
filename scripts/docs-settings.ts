import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { withSettingsTable } from '../lib/config-docs'
import type { SettingDoc } from '../lib/config'

const HELP = `Usage: npm run docs:settings [-- --check]

Rewrites the settings tables of README.md (Configuration) and
docs/security.md (Settings) from the one schema in lib/config.ts, between
their <!-- settings:… --> and <!-- /settings --> markers.

Options:
  --check   change nothing; exit 1 and name the files that differ
  --help    this text`

const FILES: [string, SettingDoc][] = [
  ['README.md', 'readme'],
  ['docs/security.md', 'security'],
]

function main(): void {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } })
  if (values.help) {
    console.log(HELP)
    return
  }
  const root = path.resolve(import.meta.dirname, '..')
  const stale: string[] = []
  for (const [file, doc] of FILES) {
    const full = path.join(root, file)
    const before = readFileSync(full, 'utf8')
    const after = withSettingsTable(before, doc)
    if (after === before) continue
    stale.push(file)
    if (!values.check) writeFileSync(full, after)
  }
  if (values.check && stale.length > 0) {
    console.error(`Settings tables differ from lib/config.ts in: ${stale.join(', ')}. Run npm run docs:settings.`)
    process.exit(1)
  }
  console.log(stale.length === 0 ? 'Settings tables are current.' : `Rewrote: ${stale.join(', ')}`)
}

main()
