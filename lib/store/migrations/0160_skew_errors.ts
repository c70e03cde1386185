import { addColumn } from '../ddl'
import type { Migration } from './types'

// A skew error's tab age (wire format: skew_error age): ms since the tab
// loaded the page when its code failed to load (docs/skew-errors.md). Its cause
// is in reason, its asset's path group in message; 0 on every other event.
export const migration: Migration = {
  version: 160,
  name: 'skew_errors',
  statements: (ctx) => addColumn(ctx, 'events', 'tab_age_ms', 'UInt64 DEFAULT 0', 'unsaved'),
}
