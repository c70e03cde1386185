// The migrations are history: each holds, as literals, the tables it created
// and the columns it added, as they were then, and is never edited once
// released (a server upgraded past it has already run it). Today's
// definitions live elsewhere (the column tables lib/events/row.ts and
// lib/aggregates/row.ts, each figure's table.ts, lib/self-gaps/table.ts); a
// change to one of them needs a new numbered migration that ALTERs or creates
// what changed, again with literal columns, never imported from there.
// test/lib/store/migrate.engine.test.ts replays the list on the real engine,
// fresh and as an upgrade, and fails on any drift from today's definitions.
import type { Migration } from './types'
import { migration as m0001 } from './0001_initial'
import { migration as m0010 } from './0010_dashboard_rollups'
import { migration as m0020 } from './0020_alerts'
import { migration as m0030 } from './0030_hardening'
import { migration as m0040 } from './0040_live_instants'
import { migration as m0050 } from './0050_reload_upgrade_minutes'
import { migration as m0060 } from './0060_event_minutes_by_kind'
import { migration as m0070 } from './0070_release_figures'
import { migration as m0080 } from './0080_edge_security'
import { migration as m0090 } from './0090_heartbeat_activity'
import { migration as m0091 } from './0091_rollout'
import { migration as m0110 } from './0110_backend_load'
import { migration as m0111 } from './0111_backend_load_minutes'
import { migration as m0120 } from './0120_first_seen_received'
import { migration as m0130 } from './0130_rollout_recent_grants'
import { migration as m0150 } from './0150_self_health'
import { migration as m0160 } from './0160_skew_errors'

// Ordered list of every migration. Add new files as NNNN_name.ts and list them here.
export const migrations: readonly Migration[] = [m0001, m0010, m0020, m0030, m0040, m0050, m0060, m0070, m0080, m0090, m0091, m0110, m0111, m0120, m0130, m0150, m0160]
