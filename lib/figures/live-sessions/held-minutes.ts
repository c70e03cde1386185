import { heldRows, type HeldTable } from '../held-rows'
import { liveMinutesTable } from './table'

// Finalised live minutes of the last day from memory (../held-rows.ts): the
// stored part of every live chart.

const LIVE_MINUTES: HeldTable = { name: 'liveMinutes', table: liveMinutesTable, keys: ['version', 'visibility'], value: 'sessions' }
const MINUTE = 60_000

export interface HeldMinuteRow {
  t: number
  version: string
  visibility: string
  sessions: number
}

/**
 * Live sessions at the finalised boundaries in [from, to] (to at most the
 * rollup's edge `through`) on multiples of `stepMinutes`, by version and
 * visibility (or version alone), as live_minutes' newest rows give them; null
 * when they are not held (the caller reads the table).
 */
export async function heldLiveMinutes(projectId: string, through: number, from: number, to: number, stepMinutes: number, byVisibility: boolean): Promise<HeldMinuteRow[] | null> {
  const rows = await heldRows(LIVE_MINUTES, projectId, through, from)
  if (!rows) return null
  const sums = new Map<string, HeldMinuteRow>()
  rows.forEach(from, to, Math.max(1, Math.floor(stepMinutes)) * MINUTE, (minute, [version, visibility], sessions) => {
    const key = `${minute}\u0000${version}${byVisibility ? `\u0000${visibility}` : ''}`
    const row = sums.get(key) ?? { t: minute, version: version!, visibility: byVisibility ? visibility! : '', sessions: 0 }
    row.sessions += sessions
    sums.set(key, row)
  })
  return [...sums.values()]
}
