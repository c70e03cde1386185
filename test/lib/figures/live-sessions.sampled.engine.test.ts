import { beforeAll, describe, expect, it } from 'vitest'
import { GET as liveRoute } from '@/app/api/stats/live/route'
import { GET as overviewRoute } from '@/app/api/stats/overview/route'
import { adminToken } from '@/lib/auth/admin-token'
import { resetConfigCache } from '@/lib/config'
import { chartContext } from '@/lib/figures/chart-context'
import { liveSessions } from '@/lib/figures/live-sessions/read-now'
import { projectOverview, type ProjectOverview } from '@/lib/figures/overview'
import type { LiveSessions } from '@/lib/figures/live-sessions/read-now'
import { projectById } from '@/lib/projects/project-directory'
import { rollupProject } from '@/lib/rollup-runner/run-project'
import { store } from '@/lib/store/client'
import { table } from '@/lib/store/tables'
import { testProject, useEngine } from '../../support/engine'

// docs/semantics.md, Accuracy: above the exact limit the overview's figures
// for now come from a sample of sessions, and say so; at or below it they
// are exact and say nothing. Behaviour only, not speed.

// The smallest limit allowed: 90,000 live sessions are then sampled 1 in 3.
process.env.STALEWATCH_EXACT_LIVE_SESSIONS = '40000'
resetConfigCache()
useEngine()

const now = Date.now()
const W = 180

/** `sessions` live sessions: two thirds on 1.0.0, a third reloaded from 1.0.0 into 2.0.0 inside the window; a tenth hidden. */
async function fill(projectId: string, sessions: number): Promise<void> {
  await store().query.command({
    query: `INSERT INTO ${table('events')} (project_id, event_id, session_id, load_id, version, type, event_time, client_ts, received_at, visibility, navigation, previous_version)
      SELECT {project:String}, concat('e', toString(number)), concat('sess_', toString(s)), concat('load_', toString(s), '_', toString(beat)),
             if(s % 3 = 0 AND beat = 1, '2.0.0', '1.0.0'), if(beat = 1, 'load', 'heartbeat'),
             fromUnixTimestamp64Milli(toInt64({now:Int64} - 150000 + beat * 60000 + s % 1000), 'UTC') AS t, t, t,
             if(s % 10 = 0, 'hidden', 'visible'), if(beat = 1, 'reload', ''), if(beat = 1, '1.0.0', '')
      FROM (SELECT number, intDiv(number, 2) AS s, number % 2 AS beat FROM numbers({rows:UInt64}))`,
    query_params: { project: projectId, now, rows: sessions * 2 },
  })
  // The exact limit is judged on the rollup's last finalised minute.
  await rollupProject(projectId, W, now)
}

async function overviewOf(projectId: string): Promise<ProjectOverview> {
  return projectOverview(await chartContext((await projectById(projectId))!), now)
}

const bearer = () => ({ headers: { authorization: `Bearer ${adminToken()}` } })

describe('live sessions above and below the exact limit', () => {
  let large: string
  let small: string
  beforeAll(async () => {
    large = (await testProject('sampled')).id
    small = (await testProject('exact')).id
    await fill(large, 90_000)
    await fill(small, 40_000)
  }, 120_000)

  it('above the limit: counts from a sample of sessions, flagged, the total within 1 % and within its stated error', async () => {
    const live = await liveSessions({ projectId: large, at: now, windowSeconds: W })
    expect(live.approximate).toMatchObject({ sampledOneIn: 3, exactLimit: 40_000 })
    const { sampledSessions, totalError95 } = live.approximate!
    expect(sampledSessions).toBeGreaterThan(25_000)
    expect(totalError95).toBeLessThanOrEqual(0.01)
    expect(Math.abs(live.total - 90_000) / 90_000).toBeLessThanOrEqual(totalError95)
    // Each sampled session is counted once, under its latest version: a third reloaded into 2.0.0.
    expect(live.versions.map((v) => v.version)).toEqual(['1.0.0', '2.0.0'])
    expect(live.versions.reduce((n, v) => n + v.sessions, 0)).toBe(live.total)
    expect(Math.abs(live.versions[1]!.sessions - 30_000) / 30_000).toBeLessThanOrEqual(0.03)
    expect(live.versions.reduce((n, v) => n + v.visible + v.hidden, 0)).toBe(live.total)
  })

  it('above the limit: the overview (page and JSON) names the approximate figures', async () => {
    const overview = await overviewOf(large)
    expect(overview.approximate?.figures).toEqual(expect.arrayContaining(['live sessions now', 'stale share now', 'adoption of the latest release']))
    expect(overview.approximate?.sampledOneIn).toBe(3)
    const json = (await (await overviewRoute(new Request(`http://localhost/api/stats/overview?project=${large}&at=${now}`, bearer()), undefined as never)).json()) as ProjectOverview
    expect(json.approximate?.figures).toEqual(overview.approximate!.figures)
    const liveJson = (await (await liveRoute(new Request(`http://localhost/api/stats/live?project=${large}&at=${now}`, bearer()), undefined as never)).json()) as LiveSessions
    expect(liveJson.approximate?.sampledOneIn).toBe(3)
  })

  it('at the limit: exact counts, and no approximation flag', async () => {
    const live = await liveSessions({ projectId: small, at: now, windowSeconds: W })
    expect(live.approximate).toBeUndefined()
    expect(live.total).toBe(40_000)
    expect(live.versions).toEqual([
      { version: '1.0.0', sessions: 26_666, visible: 24_000, hidden: 2_666 },
      { version: '2.0.0', sessions: 13_334, visible: 12_000, hidden: 1_334 },
    ])
    expect((await overviewOf(small)).approximate).toBeUndefined()
  })
})
