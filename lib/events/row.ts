import { column, columnNames, ddlColumns, optionalColumn, valuesOf, type RowOf } from '../store/column-table'
import type { TableDef } from '../store/ddl'

// The events table, column by column: the one list the row type, the ingest
// log's column order, a row's values and the table's definition are generated
// from (lib/store/column-table.ts). normalize.ts fills every field. The
// migrations stay as history; test/store/migrations.test.ts holds them to
// this list on a fresh install and on an upgrade from the first migration.
// A new column: its entry here (at the end), a migration that runs
// addColumnsFrom(ctx, 'events', EVENT_COLUMN_TABLE, ['name']), and its value
// in normalize.ts (docs/worked-examples/new-event-column.patch).

const time = "DateTime64(3, 'UTC')"
const text = column<string>()
/** Epoch ms, stored as DateTime64(3). */
const ms = column<number>()

export const EVENT_COLUMN_TABLE = [
  text('project_id', 'LowCardinality(String)'),
  text('event_id', 'String'),
  text('session_id', 'String'),
  text('load_id', 'String'),
  text('version', 'LowCardinality(String)'),
  text('type', 'LowCardinality(String)'),
  // Client time corrected by the request's clock offset (docs/semantics.md, Words).
  ms('event_time', time),
  ms('client_ts', time),
  ms('received_at', time),
  // '' where the event carries none; freeze is stored as hidden.
  text('visibility', 'LowCardinality(String)'),
  text('navigation', 'LowCardinality(String)'),
  text('previous_version', 'LowCardinality(String)'),
  text('reason', 'LowCardinality(String)'),
  text('action', 'LowCardinality(String)'),
  text('latest', 'LowCardinality(String)'),
  text('message', 'String'),
  // Browser family and major version from the User-Agent (migration 0030); '' and 0 without the header.
  optionalColumn('')('browser', "LowCardinality(String) DEFAULT ''"),
  optionalColumn(0)('browser_major', 'UInt16 DEFAULT 0'),
  // A heartbeat's idle and unsaved (migration 0090), 1 when it said so; absent on other kinds (ingest/events/reload-ask.ts tells the two apart).
  optionalColumn(0)('idle', 'UInt8 DEFAULT 0'),
  optionalColumn(0)('unsaved', 'UInt8 DEFAULT 0'),
] as const

/** One row of the events table, as normalize.ts makes it and the writer sends it (times in epoch ms). */
export type EventRow = RowOf<typeof EVENT_COLUMN_TABLE>

/** The events columns in the order of eventValues: the ingest log's header line. */
export const EVENT_COLUMNS = columnNames(EVENT_COLUMN_TABLE)

/** A row as positional values (JSONCompactEachRow), in the order of EVENT_COLUMNS. */
export const eventValues = valuesOf(EVENT_COLUMN_TABLE)

/** The events table as a fresh install would define it today (the migrations, replayed, must arrive at the same columns). */
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
