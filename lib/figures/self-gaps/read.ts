import { config } from '../../config'
import { selfHealthTable } from '../../self-gaps/table'
import { runQuery } from '../../store/run-query'
import { qualified } from '../../store/tables'

// Stalewatch's own gaps in a window, from what each server process recorded
// (lib/self-gaps/, docs/timeline.md "Stalewatch's own gaps"):
// - down: no server process recorded anything for more than 3 heartbeats, or
//   one stopped and the next started (a restart, however short). From the
//   last row before (the clean stop, else the last heartbeat) to the start.
// - disk_low: ingest refused every event, the disk under its floor.
// - shed: ingest answered 503 (by code), tabs retried later.
// - backlog: the ingest log beyond its bound (STALEWATCH_BACKLOG_GAP_PERCENT).
// - storage_blocked: the log did not drain into the store.
// Down and disk_low are "not hearing tabs": no event got in, so charts leave
// those minutes empty (docs/semantics.md, Stalewatch's own gaps). The others
// are "degraded": events got in late, or after a retry.

export type GapKind = 'down' | 'disk_low' | 'shed' | 'backlog' | 'storage_blocked'

export interface SelfGap {
  kind: GapKind
  from: number
  to: number
  /** No tab was heard in it (down, disk_low); else degraded. */
  unheard: boolean
  /** One line for people: what happened, with the figures. */
  summary: string
}

const UNHEARD: ReadonlySet<GapKind> = new Set(['down', 'disk_low'])

const seconds = (ms: number) => (ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`)

// Both parts of the gaps in one round trip: the down stretches (part 'down':
// prev_kind and kind are the heartbeat kinds around the stretch) and the
// trouble ticks (part 'trouble': kind, code and value of the tick).
interface GapRow {
  part: 'down' | 'trouble'
  from_ms: string | number
  to_ms: string | number
  prev_kind: string
  kind: string
  code: string
  value: number
}

// Every node's heartbeats in one order: a stretch is down only when no node recorded anything.
const downSql = () => `SELECT 'down' AS part, toUnixTimestamp64Milli(prev_at) AS from_ms, toUnixTimestamp64Milli(at) AS to_ms, prev_kind, kind, '' AS code, toFloat64(0) AS value FROM (
       SELECT at, kind,
         lagInFrame(at, 1, toDateTime64(0, 3, 'UTC')) OVER w AS prev_at,
         lagInFrame(kind, 1, '') OVER w AS prev_kind
       FROM ${qualified(selfHealthTable(config().retentionDays))}
       WHERE kind IN ('start', 'beat', 'stop')
         -- A down stretch that began more than a day before the window is not looked for.
         AND at >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') - INTERVAL 1 DAY
         AND at <= fromUnixTimestamp64Milli({to:Int64}, 'UTC') + INTERVAL 1 DAY
       WINDOW w AS (ORDER BY at, node ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
     )
     WHERE prev_kind != ''
       AND (prev_kind = 'stop' OR toUnixTimestamp64Milli(at) - toUnixTimestamp64Milli(prev_at) > {silent:Int64})
       AND prev_at < fromUnixTimestamp64Milli({to:Int64}, 'UTC') AND at > fromUnixTimestamp64Milli({from:Int64}, 'UTC')`

const troublesSql = () => `SELECT 'trouble' AS part, toUnixTimestamp64Milli(at) - interval_ms AS from_ms, toUnixTimestamp64Milli(at) AS to_ms, '' AS prev_kind, kind, code, value
     FROM ${qualified(selfHealthTable(config().retentionDays))}
     WHERE kind IN ('shed', 'backlog', 'disk_low', 'storage_blocked')
       AND at > fromUnixTimestamp64Milli({from:Int64}, 'UTC')
       AND at <= fromUnixTimestamp64Milli({to:Int64}, 'UTC') + INTERVAL 1 HOUR`

function downStretch(r: GapRow): SelfGap {
  const [a, b] = [Number(r.from_ms), Number(r.to_ms)]
  const how = r.prev_kind === 'stop' ? 'stopped' : 'no heartbeat'
  const after = r.kind === 'start' ? ', then restarted' : ''
  return { kind: 'down', from: a, to: b, unheard: true, summary: `Stalewatch down ${seconds(b - a)} (${how}${after})` }
}

/** Consecutive ticks of one kind of trouble, into stretches. Pure. */
export function mergeTroubles(rows: readonly { kind: Exclude<GapKind, 'down'>; code: string; from: number; to: number; value: number }[]): SelfGap[] {
  const open = new Map<string, { gap: SelfGap; codes: Map<string, number>; peak: number }>()
  const done: { gap: SelfGap; codes: Map<string, number>; peak: number }[] = []
  for (const r of [...rows].sort((a, b) => a.from - b.from)) {
    const current = open.get(r.kind)
    // Touching ticks (a tick starts where the last ended, give or take a second) are one stretch.
    if (current && r.from <= current.gap.to + 1_000) {
      current.gap.to = Math.max(current.gap.to, r.to)
      if (r.code) current.codes.set(r.code, (current.codes.get(r.code) ?? 0) + r.value)
      current.peak = r.kind === 'disk_low' ? Math.min(current.peak, r.value) : Math.max(current.peak, r.value)
      continue
    }
    if (current) done.push(current)
    const started = { gap: { kind: r.kind, from: r.from, to: r.to, unheard: UNHEARD.has(r.kind), summary: '' }, codes: new Map<string, number>(), peak: r.value }
    if (r.code) started.codes.set(r.code, r.value)
    open.set(r.kind, started)
  }
  done.push(...open.values())
  return done
    .map(({ gap, codes, peak }) => ({ ...gap, summary: troubleSummary(gap, codes, peak) }))
    .sort((a, b) => a.from - b.from)
}

function troubleSummary(gap: SelfGap, codes: ReadonlyMap<string, number>, peak: number): string {
  const span = seconds(gap.to - gap.from)
  switch (gap.kind) {
    case 'shed':
      return `Ingest answered 503 for ${span}: ${[...codes].map(([code, n]) => `${n} ${code}`).join(', ')}`
    case 'backlog':
      return `Ingest log backlog for ${span}, up to ${Math.round(peak * 100)} % of its bound`
    case 'disk_low':
      return `Disk low for ${span} (${Math.round(peak / 1_048_576)} MiB free): ingest refused events`
    case 'storage_blocked':
      return `Storage blocked for ${span}: the ingest log did not drain (up to ${peak} rows waiting)`
    default:
      return span
  }
}

/** Stalewatch's own gaps overlapping [from, to], in time order, clipped to it. */
export async function selfGaps(params: { from: number; to: number }): Promise<SelfGap[]> {
  const silentMs = 3 * config().heartbeatSeconds * 1000
  const rows = await runQuery<GapRow>('selfGaps', `${downSql()}
     UNION ALL
     ${troublesSql()}
     ORDER BY to_ms`, { from: params.from, to: params.to, silent: silentMs })
  const down = rows.filter((r) => r.part === 'down').map(downStretch)
  const other = mergeTroubles(
    rows
      .filter((r) => r.part === 'trouble')
      .map((r) => ({ kind: r.kind as Exclude<GapKind, 'down'>, code: r.code, from: Number(r.from_ms), to: Number(r.to_ms), value: Number(r.value) })),
  ).filter((g) => g.from < params.to)
  return [...down, ...other]
    .map((g) => ({ ...g, from: Math.max(g.from, params.from), to: Math.min(g.to, params.to) }))
    .filter((g) => g.to > g.from)
    .sort((a, b) => a.from - b.from || a.kind.localeCompare(b.kind))
}
