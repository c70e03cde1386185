import { describe, expect, it } from 'vitest'
import { GET } from '@/app/api/timeline/route'
import { adminToken } from '@/lib/auth/admin-token'
import { recordTransitions } from '@/lib/alerts/transition-store'
import { registerRelease, setMinSupported } from '@/lib/releases/release-store'
import { writeAudit } from '@/lib/rollout/audit'
import { selfHealthTable } from '@/lib/self-gaps/table'
import { insertRows } from '@/lib/store/run-query'
import { qualified, table } from '@/lib/store/tables'
import { timelineMarkdown } from '@/lib/timeline/markdown'
import { readTimeline } from '@/lib/timeline/read'
import { testProject, useEngine } from '../../support/engine'
import { M, S, sendAll, Tab } from '../../support/known-answer-tabs'

// The incident timeline of a window (docs/timeline.md): every source's
// entries on one axis, in order, and its Markdown export. Against the real
// engine, each source's rows written where the product writes them.
useEngine()

describe('the incident timeline', () => {
  it("puts releases, the minimum, the wave's pauses, storms, refusals, alerts and Stalewatch's own gaps on one axis, in order", async () => {
    const project = await testProject('timeline')
    const t0 = Math.floor(Date.now() / M) * M - 90 * M
    await registerRelease({ project: project.id, version: 'v1', releasedAt: t0 - 120 * M })
    await registerRelease({ project: project.id, version: 'v2', releasedAt: t0 + 1 * M })
    // setMinSupported stamps now; the timeline reads its time from the catalog.
    const minimum = await setMinSupported(project.id, 'v2')
    await writeAudit({ projectId: project.id, at: t0 + 5 * M, action: 'guard_paused', actor: 'guard', from: null, to: 'v2', detail: { causes: [{ cause: 'ingest_errors', summary: '40 % of ingest requests answered 5xx' }] }, outcome: null })
    await writeAudit({ projectId: project.id, at: t0 + 8 * M, action: 'guard_resumed', actor: 'guard', from: null, to: 'v2', detail: { causes: [] }, outcome: null })
    // A resume storm: 12 tabs resume in one minute after an hour of quiet (above 10 a minute and 5 × the hour's rate).
    const tabs = Array.from({ length: 12 }, () => new Tab('v1').beat(t0 - 2 * M, t0 + 60 * M))
    for (const tab of tabs) tab.resume(t0 + 20 * M + 5 * S)
    // One tab at a time: a page of requests at once would find ingest shedding on a loaded machine.
    for (const tab of tabs) await sendAll(project.ingestKey, [tab], false)
    await insertRows('t', table('ingest_refusals'), [25, 26].map((m) => ({ project_id: project.id, minute: (t0 + m * M) / 1000, reason: 'version_cap', events: 7 })))
    await insertRows('t', qualified(selfHealthTable(30)), [
      { node: 'h:1', at: t0 + 10 * M - 5 * S, kind: 'beat', code: '', value: 0, interval_ms: 10_000 },
      { node: 'h:1', at: t0 + 10 * M, kind: 'stop', code: '', value: 0, interval_ms: 0 },
      { node: 'h:2', at: t0 + 12 * M, kind: 'start', code: '', value: 0, interval_ms: 10_000 },
    ])
    const alert = { projectId: project.id, ruleId: 'r1', since: t0 + 40 * M, value: 0.6, threshold: 0.5, ruleName: 'stale | share', destinationIds: [] }
    await recordTransitions([{ ...alert, seq: 1, kind: 'firing', at: t0 + 40 * M, summary: 'stale share 60 % above 50 %' }, { ...alert, seq: 2, kind: 'resolved', at: t0 + 50 * M, summary: 'stale share 10 %' }], t0 + 50 * M)

    const timeline = await readTimeline({ projectId: project.id, from: t0, to: t0 + 60 * M, windowSeconds: 180 })
    expect(timeline.missing).toEqual([])
    expect(timeline.entries.map((e) => [(e.at - t0) / M, e.source, e.kind])).toEqual([
      [1, 'release', 'release'],
      [5, 'wave', 'paused'],
      [8, 'wave', 'resumed'],
      [10, 'stalewatch', 'down'],
      [20, 'storm', 'resume_storm'],
      [25, 'refusals', 'version_cap'],
      [40, 'alert', 'firing'],
      [50, 'alert', 'resolved'],
    ])
    expect(timeline.entries.find((e) => e.kind === 'paused')!.title).toBe('Wave paused by the guard: 40 % of ingest requests answered 5xx')
    expect(timeline.entries.find((e) => e.source === 'refusals')).toMatchObject({ to: t0 + 27 * M, title: '14 events refused by the cap on distinct versions' })
    expect(timeline.entries.find((e) => e.source === 'storm')!.title).toBe('Resume storm: up to 12 resumes a minute against 0 before')
    expect(timeline.figures).toMatchObject({ liveAtStart: 12, liveAtEnd: 12, unheardMs: 2 * M })
    // The minimum change made now is outside the window, and in one that holds it.
    const now = await readTimeline({ projectId: project.id, from: minimum.changedAt - M, to: minimum.changedAt + M, windowSeconds: 180 })
    expect(now.entries.map((e) => [e.source, e.title])).toContainEqual(['minimum', 'Minimum set to v2'])

    const md = timelineMarkdown(timeline, 'http://stalewatch.test/timeline?project=x')
    const rows = md.split('\n').filter((l) => l.startsWith('| 2'))
    expect(rows).toHaveLength(8)
    expect(rows[3]).toBe(`| ${new Date(t0 + 10 * M).toISOString().replace('T', ' ').slice(0, 19)}Z | ${new Date(t0 + 12 * M).toISOString().slice(11, 19)} | stalewatch | Stalewatch down 2 min (stopped, then restarted) |`)
    // A rule's name is anyone's text: a pipe in it stays inside its cell.
    expect(rows[6]).toContain('| alert | Alert "stale \\| share" fired: stale share 60 % above 50 % |')
    expect(md).toContain('[Stalewatch](http://stalewatch.test/timeline?project=x)')
    expect(md).toContain('- Stalewatch heard no tab for 2 min of the window: live counts there are not drawn.')
  })
})

describe('GET /api/timeline', () => {
  const get = async (query: string, bearer: string | null = adminToken()) => {
    const headers = new Headers(bearer ? { authorization: `Bearer ${bearer}` } : {})
    const response = await GET(new Request(`http://dash.test/api/timeline?${query}`, { headers }))
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() }
  }

  it('answers the admin only, and bad windows with a 400 that says why', async () => {
    const project = await testProject('timeline-api')
    expect((await get(`project=${project.id}`, null)).status).toBe(401)
    expect((await get(`project=${project.id}`, project.ingestKey)).status).toBe(401)
    const reversed = await get(`project=${project.id}&from=2000&to=1000`)
    expect([reversed.status, JSON.parse(reversed.text)]).toEqual([400, { error: { code: 'invalid_request', message: 'from: must be before to' } }])
    const long = await get(`project=${project.id}&from=0&to=${8 * 24 * 3600_000}`)
    expect([long.status, JSON.parse(long.text).error.message]).toEqual([400, 'from: the window is at most 7 days'])
    expect((await get(`project=${project.id}&from=yesterday`)).status).toBe(400)
    expect((await get(`project=${project.id}&format=pdf`)).status).toBe(400)
    expect((await get('project=p_nonexistent')).status).toBe(404)
  })

  it('exports a window as JSON and as Markdown, with a link back to its page', async () => {
    const project = await testProject('timeline-export')
    const at = Math.floor(Date.now() / M) * M - 10 * M
    await registerRelease({ project: project.id, version: 'v9', releasedAt: at })
    const window = `project=${project.id}&from=${at - M}&to=${at + M}`
    const json = await get(window)
    expect(json.status).toBe(200)
    const body = JSON.parse(json.text)
    expect(body.entries).toEqual([{ at, source: 'release', kind: 'release', title: 'Release v9' }])
    expect(body.link).toBe(`http://dash.test/timeline?project=${project.id}&from=${encodeURIComponent(new Date(at - M).toISOString())}&to=${encodeURIComponent(new Date(at + M).toISOString())}`)
    const md = await get(`${window}&format=md`)
    expect([md.status, md.type]).toEqual([200, 'text/markdown; charset=utf-8'])
    expect(md.text).toContain('| release | Release v9 |')
    expect(md.text).toContain(`[Stalewatch](${body.link})`)
  })
})
