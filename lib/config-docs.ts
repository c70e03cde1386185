import { SETTINGS, type SettingDoc } from './config'

// The settings' documentation, generated from lib/config.ts: the `--help` of
// `npm start`, and the tables in README.md and docs/security.md between their
// markers (`npm run docs:settings` rewrites them; test/docs/settings.test.ts
// fails when they differ).

type Def = (typeof SETTINGS)[keyof typeof SETTINGS]
const defs = () => Object.values(SETTINGS) as Def[]

/** The default as the docs show it (Markdown). */
function shownDefault(def: Def): string {
  if ('shownDefault' in def && def.shownDefault) return def.shownDefault
  if ('default' in def && typeof def.default === 'string') return `\`${def.default}\``
  return 'unset'
}

/** Markdown to terminal text: links to their text, no code ticks. */
const plain = (markdown: string) => markdown.replace(/\[([^\]]+)\]\([^)]+\)/g, '$1').replace(/`/g, '')

/** Links in the entries are relative to the repository's root, as README.md reads them; docs/ files read them from docs/. */
const DOC_DIR: Record<SettingDoc, string> = { readme: '', security: 'docs/' }
const relink = (markdown: string, doc: SettingDoc) =>
  DOC_DIR[doc] === '' ? markdown : markdown.replace(/\]\(([^)]+)\)/g, (_, target: string) => `](${target.startsWith(DOC_DIR[doc]) ? target.slice(DOC_DIR[doc].length) : `../${target}`})`)

export function settingsTable(doc: SettingDoc): string {
  const rows = defs()
    .filter((d) => d.docs.includes(doc))
    .map((d) => relink(`| \`${d.env}\` | ${shownDefault(d)} | ${d.help} |`, doc))
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n')
}

/** Every setting, for --help: name, default, meaning. */
export function settingsHelp(): string {
  const width = Math.max(...defs().map((d) => d.env.length))
  return defs()
    .map((d) => `  ${d.env.padEnd(width)}  ${plain(d.help)} (default: ${plain(shownDefault(d))})`)
    .join('\n')
}

export const settingsStart = (doc: SettingDoc) => `<!-- settings:${doc}: generated from lib/config.ts by npm run docs:settings -->`
export const SETTINGS_END = '<!-- /settings -->'

/** The Markdown with its settings table regenerated; throws when the markers are missing. */
export function withSettingsTable(markdown: string, doc: SettingDoc): string {
  const start = markdown.indexOf(settingsStart(doc))
  const end = markdown.indexOf(SETTINGS_END, start)
  if (start === -1 || end === -1) throw new Error(`no ${settingsStart(doc)} … ${SETTINGS_END} section`)
  return `${markdown.slice(0, start)}${settingsStart(doc)}\n${settingsTable(doc)}\n${markdown.slice(end)}`
}
