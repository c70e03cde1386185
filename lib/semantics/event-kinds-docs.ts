import { EVENT_KINDS, type EventKindDef } from './event-kinds'

// docs/semantics.md's table of event kinds, generated from the one table in
// event-kinds.ts (`npm run docs:settings` rewrites it between its markers;
// test/docs/generated-tables.test.ts fails when they differ), so the document
// cannot name a kind the figures do not count.

export const KINDS_START = '<!-- kinds: generated from lib/semantics/event-kinds.ts by npm run docs:settings -->'
export const KINDS_END = '<!-- /kinds -->'

const DETAIL: Record<NonNullable<EventKindDef['detail']>, string> = { reason: 'its reason', navigation: 'its navigation' }

export function eventKindsTable(): string {
  const rows = Object.entries(EVENT_KINDS as Record<string, EventKindDef>).map(
    ([kind, def]) => `| \`${kind}\` | ${def.events} | ${def.detail ? DETAIL[def.detail] : '—'} | ${def.stored ? 'yes' : 'no'} |`,
  )
  return ['| kind | events | detail kept | counted per minute by the rollup |', '|---|---|---|---|', ...rows].join('\n')
}

/** The markdown with the kinds table between its markers replaced (unchanged if it has none). */
export function withKindsTable(markdown: string): string {
  const start = markdown.indexOf(KINDS_START)
  const end = markdown.indexOf(KINDS_END, start)
  if (start < 0 || end < 0) return markdown
  return `${markdown.slice(0, start + KINDS_START.length)}\n${eventKindsTable()}\n${markdown.slice(end)}`
}
