import { createView, dropView } from '../ddl'
import { versionFirstSeenView } from './0001_initial'
import type { Migration } from './types'

// A version's first-seen time is when the server first received an event of
// it, no longer the earliest time an event claimed (docs/semantics.md,
// Version order). The client's clock is the public ingest key's word: one
// event dated weeks back moved a version behind the build it replaced. The
// last-seen time stays the latest event time. Rows the old view wrote keep
// their values (a min cannot be raised in place); from here on, new rows
// follow the new rule.
export const migration: Migration = {
  version: 120,
  name: 'first_seen_received',
  statements: (ctx) => [...dropView(ctx, 'version_first_seen_mv'), ...createView(ctx, versionFirstSeenView('received_at'))],
}
