import type { AggregateRow } from './row'
import type { ParsedAggregateItem } from './schema'

/**
 * An accepted item as a row of backend_load_raw: every field is filled here.
 * `version` is the item's, or the label the pipeline relabelled it to (a
 * version no tab of the project reported counts as `unknown`).
 */
export function aggregateRow(projectId: string, item: ParsedAggregateItem, version: string): AggregateRow {
  return {
    project_id: projectId,
    kind: item.kind,
    // The wire's epoch ms to the DateTime column's seconds.
    minute: item.minute / 1000,
    version,
    route_group: item.route,
    status_class: item.status,
    requests: item.count,
  }
}
