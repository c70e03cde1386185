import type { LoadKind, StatusClass } from '../../sdk/src/server/wire'

/** One row of backend_load_raw (migration 0110), as the writer sends it. */
export interface AggregateRow {
  project_id: string
  kind: LoadKind
  /** Unix seconds of the minute boundary (a DateTime column). */
  minute: number
  version: string
  route_group: string
  status_class: StatusClass
  requests: number
}

/** The backend_load_raw columns the writer fills, in the order of aggregateValues. */
export const AGGREGATE_COLUMNS = ['project_id', 'kind', 'minute', 'version', 'route_group', 'status_class', 'requests'] as const satisfies readonly (keyof AggregateRow)[]

/** A row as positional values (JSONCompactEachRow), for the ingest log. */
export const aggregateValues = (row: AggregateRow): unknown[] => [row.project_id, row.kind, row.minute, row.version, row.route_group, row.status_class, row.requests]
