import { columnNames, columnsFrom, ddlColumns, rowMaker, valuesOf, type RowOf } from '../store/column-table'
import type { TableDef } from '../store/ddl'
import type { ParsedEnvelope, ParsedEvent } from './schema'
import type { BrowserInfo } from './user-agent'

// The events table, column by column: each column's name, ClickHouse type and
// value from the normalised event. The row, its type, the ingest log's column
// order, a row's values and the table's definition are generated from this
// one list (lib/store/column-table.ts). The migrations stay as history, with
// their own literal columns; test/lib/store/migrate.engine.test.ts holds them
// to this list on a fresh install and on an upgrade from the first migration.
// A new column is its entry here and a new migration that adds it by name and
// type, written out: addColumn(ctx, 'events', 'its_name', 'its type',
// 'the column before') (docs/worked-examples/).

/** An accepted event as normalize.ts hands it over: the event, its request, and its corrected time. */
export interface NormalizedEvent {
  projectId: string
  envelope: ParsedEnvelope
  event: ParsedEvent
  receivedAt: number
  /** The client's ts corrected by the request's clock offset, and never later than receivedAt (docs/semantics.md, Words). */
  eventTime: number
  /** From the request's User-Agent; none without the header, and the columns keep their defaults. */
  browser?: BrowserInfo
}

const { required, optional } = columnsFrom<NormalizedEvent>()
const time = "DateTime64(3, 'UTC')"
const text = 'LowCardinality(String)'

export const EVENT_COLUMN_TABLE = [
  required('project_id', text, (n) => n.projectId),
  required('event_id', 'String', (n) => n.event.id),
  required('session_id', 'String', (n) => n.envelope.session),
  required('load_id', 'String', (n) => n.envelope.load),
  required('version', text, (n) => n.envelope.version),
  required('type', text, (n): string => n.event.type),
  // Times in epoch ms.
  required('event_time', time, (n) => n.eventTime),
  required('client_ts', time, (n) => n.event.ts),
  required('received_at', time, (n) => n.receivedAt),
  // '' where the event carries none. A freeze is stored as hidden (docs/semantics.md, Liveness: visibility at t).
  required('visibility', text, ({ event: e }): string => ('visibility' in e ? e.visibility : e.type === 'freeze' ? 'hidden' : '')),
  required('navigation', text, ({ event: e }): string => (e.type === 'load' ? e.navigation : '')),
  required('previous_version', text, ({ event: e }) => (e.type === 'load' ? (e.previousVersion ?? '') : '')),
  // A skew error's cause is why its code failed to load, as a reload's reason is why it reloaded.
  required('reason', text, ({ event: e }): string => (e.type === 'reload' ? e.reason : e.type === 'skew_error' ? e.cause : '')),
  required('action', text, ({ event: e }): string => (e.type === 'update_prompt' ? e.action : '')),
  required('latest', text, ({ event: e }) => (e.type === 'update_available' ? e.latest : '')),
  // A skew error's message is its asset's path group.
  required('message', 'String', ({ event: e }) => (e.type === 'error' ? e.message : e.type === 'skew_error' ? e.path : '')),
  // Browser family and major version from the User-Agent (migration 0030, docs/privacy.md).
  optional('browser', `${text} DEFAULT ''`, '', (n) => n.browser?.browser),
  optional('browser_major', 'UInt16 DEFAULT 0', 0, (n) => n.browser?.browserMajor),
  // A heartbeat's idle and unsaved (migration 0090), 1 when it said so; left out of other kinds' rows
  // (ingest/events/reload-ask.ts tells "said nothing" from "said no").
  optional('idle', 'UInt8 DEFAULT 0', 0, ({ event: e }) => (e.type === 'heartbeat' ? (e.idle ? 1 : 0) : undefined)),
  optional('unsaved', 'UInt8 DEFAULT 0', 0, ({ event: e }) => (e.type === 'heartbeat' ? (e.unsaved ? 1 : 0) : undefined)),
  // A skew error's tab age in ms (migration 0160).
  optional('tab_age_ms', 'UInt64 DEFAULT 0', 0, ({ event: e }) => (e.type === 'skew_error' ? e.age : undefined)),
] as const

/** One row of the events table, as the writer sends it (times in epoch ms). */
export type EventRow = RowOf<typeof EVENT_COLUMN_TABLE>

/** A normalised event as its row. */
export const eventRow = rowMaker(EVENT_COLUMN_TABLE)

/** The events columns in the order of eventValues: the ingest log's header line. */
export const EVENT_COLUMNS = columnNames(EVENT_COLUMN_TABLE)

/** A row as positional values (JSONCompactEachRow), in the order of EVENT_COLUMNS. */
export const eventValues = valuesOf(EVENT_COLUMN_TABLE)

/** The events table as a fresh install defines it today: the migrations, replayed, arrive at its columns. */
export function eventsTableDef(retentionDays: number): TableDef {
  return {
    name: 'events',
    columns: ddlColumns(EVENT_COLUMN_TABLE),
    engine: 'MergeTree',
    partitionBy: 'toYYYYMMDD(event_time)',
    orderBy: '(project_id, event_time, session_id)',
    ttl: `toDateTime(event_time) + INTERVAL ${retentionDays} DAY`,
    // Lets the writer retry an insert whose answer was lost without storing
    // it twice (same insert_deduplication_token).
    settings: { non_replicated_deduplication_window: 1000 },
    shardBy: 'cityHash64(project_id, session_id)',
  }
}
