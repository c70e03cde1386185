import { NOT_A_VERSION, type TabMinute } from '../../semantics/backend-load'
import { liveMinutes } from '../live-sessions/read-minutes'
import { backendLoadMinutes } from './read-minutes'

// Requests per version and minute beside that version's live sessions at the
// end of the minute (docs/semantics.md, Backend load by client version:
// requests per live tab), read through the two figures' own queries: backend
// load (rollup + raw tail) and live sessions (the same). Only whole minutes
// that end by `to` have an end to count tabs at, and only minutes in which
// the servers counted something have a figure. `unknown` and `other` are
// left out: no tab runs them.

export interface TabMinutesParams {
  projectId: string
  /** Epoch ms; the minutes [from, to) that end by `to`, from rounded down to its minute. */
  from: number
  to: number
  windowSeconds: number
  source?: 'auto' | 'raw'
}

const MINUTE = 60_000

export async function backendTabMinutes(params: TabMinutesParams): Promise<TabMinute[]> {
  const from = Math.floor(params.from / MINUTE) * MINUTE
  const end = Math.floor(params.to / MINUTE) * MINUTE
  if (end <= from) return []
  const load = await backendLoadMinutes({ projectId: params.projectId, from, to: end, source: params.source })
  // Minutes in which the servers counted nothing at all have no figure (the
  // middleware sent nothing, which is not a 0), so live sessions are read only
  // over the span that has counts: for a project without the middleware, none.
  const counted = new Set(load.filter((r) => r.requests > 0).map((r) => r.minute))
  if (counted.size === 0) return []
  const first = Math.min(...counted)
  const last = Math.max(...counted)
  const live = await liveMinutes({ projectId: params.projectId, from: first + MINUTE, to: last + MINUTE, windowSeconds: params.windowSeconds, source: params.source })
  const cells = new Map<string, TabMinute>()
  const cell = (minute: number, version: string) => {
    const key = `${minute}\u0000${version}`
    let c = cells.get(key)
    if (!c) cells.set(key, (c = { minute, version, requests: 0, liveTabs: 0 }))
    return c
  }
  for (const r of load) if (!NOT_A_VERSION.has(r.version) && counted.has(r.minute)) cell(r.minute, r.version).requests += r.requests
  for (const r of live) if (!NOT_A_VERSION.has(r.version) && counted.has(r.minute - MINUTE)) cell(r.minute - MINUTE, r.version).liveTabs += r.sessions
  return [...cells.values()].sort((a, b) => a.minute - b.minute || (a.version < b.version ? -1 : a.version > b.version ? 1 : 0))
}
