import { heldLiveMinutes } from './held-minutes'
import { liveIndexFor } from './live-index-feed'
import { liveMinutesSelect } from './raw'
import { rawWindowParams } from '../raw-params'
import { throughFor } from '../rollup-edge'
import { liveMinutesTable } from './table'
import { qualified } from '../../store/tables'
import { runQuery } from '../../store/run-query'

// Live sessions at each minute boundary in [from, to] by version (and
// visibility), docs/semantics.md, Liveness. Finalised minutes come from the rollup
// (live_minutes, or its rows of the last day held in memory), the ones after
// it from the same SELECT over raw events, so the two agree by construction,
// or from the live index that answers that SELECT's definition from memory.
// source 'raw' skips the rollup: the benchmark's baseline and the tests'
// cross-check.

export interface LiveMinutesParams {
  projectId: string
  from: number
  to: number
  windowSeconds: number
  /** Split by visibility ('visible' | 'hidden' | '' when a session reported none in its window). */
  byVisibility?: boolean
  /** Keep only boundaries on multiples of this many minutes (long windows). */
  stepMinutes?: number
  source?: 'auto' | 'raw'
}

export interface LiveMinuteRow {
  minute: number
  version: string
  visibility: string
  sessions: number
}

interface RawRow {
  t: number
  version: string
  visibility: string
  sessions: number | string
}

const MINUTE = 60_000

export async function liveMinutes(params: LiveMinutesParams): Promise<LiveMinuteRow[]> {
  const step = Math.max(1, Math.floor(params.stepMinutes ?? 1))
  const vis = params.byVisibility ?? false
  const through = await throughFor(params.projectId, params.source)
  const parts: Promise<RawRow[]>[] = []
  const rolledTo = Math.min(params.to, through)
  if (rolledTo >= params.from) {
    const fromTable = () =>
      runQuery<RawRow>(
        'liveMinutes.rollup',
        `SELECT toUnixTimestamp(minute) * 1000 AS t, version, ${vis ? 'visibility' : "'' AS visibility"}, sum(s) AS sessions
         FROM (
           SELECT minute, version, visibility, argMax(sessions, computed_at) AS s
           FROM ${qualified(liveMinutesTable)}
           WHERE project_id = {project:String}
             AND minute >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND minute <= fromUnixTimestamp64Milli({to:Int64}, 'UTC')
             AND modulo(toUnixTimestamp(minute), {stepSeconds:UInt32}) = 0
           GROUP BY minute, version, visibility
         )
         WHERE s > 0
         GROUP BY t, version${vis ? ', visibility' : ''}`,
        { project: params.projectId, from: params.from, to: rolledTo, stepSeconds: step * 60 },
      )
    // The finalised minutes of the last day are held in memory (./held-minutes.ts); read alongside the minutes after the edge.
    parts.push(params.source === 'raw' ? fromTable() : heldLiveMinutes(params.projectId, through, params.from, rolledTo, step, vis).then((held) => held ?? fromTable()))
  }
  // The raw scan reads a whole window of events before its first boundary:
  // start it at that boundary, and skip it when none lies in [.., to].
  const stepMs = step * MINUTE
  const rawFrom = Math.ceil(Math.max(params.from, through + 1) / stepMs) * stepMs
  // On the embedded engine the live index answers the minutes after the edge
  // from memory when it holds their windows (./live-index-feed.ts); the same
  // definition, by the same argMax, without grouping the events table.
  const windowMs = params.windowSeconds * 1000
  const index = rawFrom <= params.to && params.source !== 'raw' ? liveIndexFor(params.projectId, rawFrom, windowMs) : null
  if (index) {
    const boundaries: number[] = []
    for (let minute = rawFrom; minute <= params.to; minute += stepMs) boundaries.push(minute)
    parts.push(Promise.resolve(index.liveMinutes(boundaries, windowMs, vis).map((r): RawRow => ({ t: r.minute, version: r.version, visibility: r.visibility, sessions: r.sessions }))))
  } else if (rawFrom <= params.to) {
    parts.push(
      runQuery<RawRow>(
        'liveMinutes.raw',
        `SELECT toUnixTimestamp(minute) * 1000 AS t, version, ${vis ? 'visibility' : "'' AS visibility"}, sum(sessions) AS sessions
         FROM (${liveMinutesSelect()})
         WHERE modulo(toUnixTimestamp(minute), {stepSeconds:UInt32}) = 0
         GROUP BY t, version${vis ? ', visibility' : ''}`,
        { ...rawWindowParams(params.projectId, rawFrom, params.to, params.windowSeconds), stepSeconds: step * 60 },
      ),
    )
  }
  const rows = (await Promise.all(parts)).flat()
  return rows
    .map((r) => ({ minute: Number(r.t), version: r.version, visibility: r.visibility, sessions: Number(r.sessions) }))
    .sort((a, b) => a.minute - b.minute || a.version.localeCompare(b.version) || a.visibility.localeCompare(b.visibility))
}
