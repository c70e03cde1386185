import { addColumn } from '../ddl'
import type { Migration } from './types'

// Whether a tab could take a forced reload now, as its heartbeats say
// (wire format: heartbeat idle / unsaved): the preview of a new minimum counts
// idle tabs and tabs with unsaved work apart (docs/rollout.md). 0 on every
// other event and on heartbeats from SDKs that do not send them.
export const migration: Migration = {
  version: 90,
  name: 'heartbeat_activity',
  statements: (ctx) => [...addColumn(ctx, 'events', 'idle', 'UInt8 DEFAULT 0'), ...addColumn(ctx, 'events', 'unsaved', 'UInt8 DEFAULT 0')],
}
