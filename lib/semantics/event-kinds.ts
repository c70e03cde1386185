import type { EventType } from '../../sdk/src/wire'

// The kinds of events the figures count (docs/semantics.md, Event kinds): one
// table, from which the SQL that the rollup and the queries run and the
// TypeScript unions are generated, so a chart and an alert cannot count two
// different things under one name. Pure.
//
// A kind is made of wire events of some types, maybe narrowed by one more
// condition. `stored` kinds are kept per minute by the event-rates rollup
// (event_minutes_by_kind.kind holds the kind's name: stored data, so a kind
// is never renamed). Their wire types are disjoint, so every event has at
// most one stored kind.

export interface EventKindDef {
  /** Wire event types the kind is made of. */
  readonly types: readonly EventType[]
  /** One more condition on those events, as fixed SQL over the events table's columns. */
  readonly where?: string
  /** The column kept as the kind's detail (event_minutes_by_kind.reason). */
  readonly detail?: 'reason' | 'navigation'
  /** Kept per minute by the rollup. */
  readonly stored: boolean
  /** What people read: "Reload events". */
  readonly label: string
  /** The wire events it is made of, in words (Markdown): docs/semantics.md's kinds table is generated from it. */
  readonly events: string
  /** The explorer's chart of this kind per minute, and what its series are. */
  readonly chart?: { readonly name: string; readonly by: 'version' | 'reason' }
}

export const EVENT_KINDS = {
  reload: {
    types: ['reload'], detail: 'reason', stored: true, label: 'Reload events', chart: { name: 'reloads', by: 'reason' },
    events: '`reload` (what a tab sends just before it reloads; the browser\'s own reload button sends none)',
  },
  resume: { types: ['resume'], stored: true, label: 'Resumes', chart: { name: 'resumes', by: 'version' }, events: '`resume` (a frozen tab woken up)' },
  return: {
    types: ['visibility'], where: "visibility = 'visible'", stored: true, label: 'Returns from hidden', chart: { name: 'returns', by: 'version' },
    events: '`visibility` with visibility `visible` (back from hidden)',
  },
  error: { types: ['error'], stored: true, label: 'Errors', chart: { name: 'errors', by: 'version' }, events: '`error`' },
  // Charted by lib/figures/skew-errors/ (by cause and by version), not by a kind's one chart.
  skew_error: {
    types: ['skew_error'], detail: 'reason', stored: true, label: 'Skew errors',
    events: '`skew_error` (code that failed to load in a tab, its cause kept as the detail: [skew errors](skew-errors.md))',
  },
  load: { types: ['load'], detail: 'navigation', stored: true, label: 'Loads', events: '`load`' },
  reloaded_load: {
    types: ['load'], where: "navigation = 'reload'", stored: false, label: 'Reloaded loads',
    events: '`load` with navigation `reload` (every reload that completed, whatever started it)',
  },
  heartbeat: {
    types: ['heartbeat'], stored: false, label: 'Heartbeats',
    events: '`heartbeat` (the minute tick of a live tab, with what the reload rules saw: idle, unsaved work; read by the preview of a new minimum, not charted)',
  },
} as const satisfies Record<string, EventKindDef>

export type EventKind = keyof typeof EVENT_KINDS
type Stored<K extends EventKind> = (typeof EVENT_KINDS)[K] extends { stored: true } ? K : never
type ChartOf<K extends EventKind> = (typeof EVENT_KINDS)[K] extends { chart: { name: infer N } } ? N : never
/** Names of the explorer's per-kind charts (reloads, …). */
export type EventChartName = { [K in EventKind]: ChartOf<K> }[EventKind]
/** The kinds event_minutes_by_kind holds. */
export type StoredEventKind = { [K in EventKind]: Stored<K> }[EventKind]

const kinds = Object.keys(EVENT_KINDS) as EventKind[]
const def = (kind: EventKind): EventKindDef => EVENT_KINDS[kind]

export const STORED_EVENT_KINDS = kinds.filter((k): k is StoredEventKind => def(k).stored)

const quoted = (text: string) => `'${text}'`

/** SQL: true for an events row of this kind. */
export function kindPredicateSql(kind: EventKind): string {
  const { types, where } = def(kind)
  const type = types.length === 1 ? `type = ${quoted(types[0]!)}` : `type IN (${types.map(quoted).join(', ')})`
  return where ? `${type} AND ${where}` : type
}

/** SQL: the wire types any of these kinds is made of, to narrow a scan before classifying (`type IN (...)`). */
export function kindTypesSql(list: readonly EventKind[]): string {
  const types = [...new Set(list.flatMap((k) => def(k).types))]
  return `type IN (${types.map(quoted).join(', ')})`
}

/** SQL: the kind of an events row among `list` (the first that matches, in table order), '' for none. */
export function kindOfEventSql(list: readonly EventKind[]): string {
  const ordered = kinds.filter((k) => list.includes(k))
  return `multiIf(${ordered.map((k) => `${kindPredicateSql(k)}, ${quoted(k)}`).join(', ')}, '')`
}

/** SQL: the detail column of an events row among `list`'s kinds, '' for kinds without one. */
export function kindDetailSql(list: readonly EventKind[]): string {
  const branches = kinds
    .filter((k) => list.includes(k) && def(k).detail)
    .map((k) => `${def(k).types.map((t) => `type = ${quoted(t)}`).join(' OR ')}, ${def(k).detail}`)
  return branches.length === 0 ? "''" : `multiIf(${branches.join(', ')}, '')`
}

/** Kinds with an explorer chart, in table order: stored ones only, since the chart reads the rollup. */
export const CHARTED_EVENT_KINDS = STORED_EVENT_KINDS.filter((k) => def(k).chart)

export function eventKindDef(kind: EventKind): EventKindDef {
  return def(kind)
}

export function eventKindLabel(kind: EventKind): string {
  return def(kind).label
}
