import { afterAll, expect, it } from 'vitest'
import { handleIngest } from '@/ingest/events/pipeline'
import { closeIngest, ingestRuntime } from '@/ingest/events/runtime'
import { liveIndexFor } from '@/lib/figures/live-sessions/live-index-feed'
import { liveMinutes } from '@/lib/figures/live-sessions/read-minutes'
import { versionTabAges, versionTabAgesFromEvents } from '@/lib/figures/live-sessions/read-tab-ages'
import { liveAtInstants } from '@/lib/figures/stragglers/read'
import { onQueryTimed } from '@/lib/store/run-query'
import { liveTabs, liveTabsFromEvents } from '@/lib/figures/live-sessions/read-live-tabs'
import { liveSessions, liveSessionsFromEvents, type LiveSessions } from '@/lib/figures/live-sessions/read-now'
import type { LiveTabsRow } from '@/lib/figures/live-sessions/live-answers'
import type { IngestEnvelope, WireEvent } from '@/sdk/src/wire'
import { testProject } from '../../../support/engine'
import { uid } from '../../../support/envelopes'

// The live index's known-answer scenario (lib/figures/live-sessions/live-index.ts),
// shared by the three ingest modes' test files: crafted sessions near now
// through the real pipeline, in two phases around the index's hydration, so
// that some events reach it by its one read of the table and the rest as
// they are stored (late beats, an out-of-order batch, a reload, a resume
// after a hidden beat half an hour before, idle/unsaved heartbeats, and every
// phase-one request replayed after the index was built). At several instants
// the index answers exactly what the events table answers, and the
// hand-computed answer.

const S = 1000
const W = 180

interface Request {
  receivedAt: number
  envelope: Omit<IngestEnvelope, 'key'>
}

function request(session: string, load: string, version: string, receivedAt: number, events: WireEvent[]): Request {
  return { receivedAt, envelope: { session, load, version, sentAt: receivedAt, events } }
}

const beat = (ts: number, visibility: 'visible' | 'hidden', more: { idle?: boolean; unsaved?: boolean } = {}): WireEvent => ({ id: uid('evt'), type: 'heartbeat', ts, visibility, ...more })

async function sendAll(key: string, requests: readonly Request[]): Promise<void> {
  for (const { receivedAt, envelope } of requests) {
    const result = await handleIngest(
      { method: 'POST', contentType: 'application/json', queryKey: null, body: new TextEncoder().encode(JSON.stringify({ key, ...envelope })), bodyTooLarge: false, receivedAt },
      { ...ingestRuntime().deps, rateLimiter: undefined, retentionDays: 3650 },
    )
    expect(result.status).toBe(200)
    expect((result.body as { rejected: unknown[] }).rejected).toEqual([])
  }
}

/** Polls until `read` gives `want` (events reach queries about a second after the ack in the logged modes). */
async function eventually<T>(read: () => Promise<T>, want: T, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs
  let got = await read()
  while (Date.now() < until) {
    try {
      expect(got).toEqual(want)
      return got
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200))
      got = await read()
    }
  }
  return got
}

const byKey = (rows: LiveTabsRow[]) => [...rows].sort((a, b) => `${a.version}|${a.visibility}|${+a.idle}${+a.unsaved}${a.ageBucket}`.localeCompare(`${b.version}|${b.visibility}|${+b.idle}${+b.unsaved}${b.ageBucket}`))
const counts = (live: LiveSessions) => ({ total: live.total, versions: live.versions })

/**
 * The scenario in one ingest mode: `stored` (ack after the group commit's
 * insert), `logged` (the ingest log, each segment stored by the engine reading
 * its file) or `logged-bytes` (the log, each segment's bytes sent in an INSERT).
 * The coverage is wide so a slow machine cannot age the scenario's instants out of it.
 */
export function liveIndexScenario(mode: 'stored' | 'logged' | 'logged-bytes'): void {
  process.env.STALEWATCH_INGEST_ACK = mode === 'stored' ? 'stored' : 'logged'
  process.env.STALEWATCH_INGEST_LOG_FILE_INSERT = mode === 'logged-bytes' ? '0' : '1'
  process.env.STALEWATCH_LIVE_INDEX_COVERAGE_SECONDS = '600'
  afterAll(() => closeIngest())

  it('answers liveSessions and liveTabs exactly as the events table does, late, out-of-order and replayed events included', { timeout: 240_000 }, async () => {
    const project = await testProject('live-index')
    const key = project.ingestKey
    const N = Date.now() - 5 * S
    const session = (name: string) => `sess_${name}_${uid('s')}`
    const [A, B, C, D, E, G, H, I] = ['A', 'B', 'C', 'D', 'E', 'G', 'H', 'I'].map(session) as [string, string, string, string, string, string, string, string]

    // Phase one, stored before the index exists (it reads them in its hydration).
    const first: Request[] = [
      // A: visible on v1, a beat a minute.
      ...[170, 110, 50].map((s) => request(A, 'load_A_0001', 'v1', N - s * S, [beat(N - s * S, 'visible')])),
      // B: on v1, reloads into v2 later (phase two).
      request(B, 'load_B_0001', 'v1', N - 150 * S, [beat(N - 150 * S, 'visible')]),
      // C: hidden on v1; a late visible beat from before arrives in phase two.
      request(C, 'load_C_0001', 'v1', N - 50 * S, [beat(N - 50 * S, 'hidden')]),
      // D: hidden half an hour ago, then frozen; resumes in phase two (a resume carries no visibility).
      request(D, 'load_D_0001', 'v1', N - 1800 * S, [beat(N - 1800 * S, 'hidden')]),
      // G: last heard 200 s ago: live at N - 60 s, not at N.
      request(G, 'load_G_0001', 'v1', N - 200 * S, [beat(N - 200 * S, 'visible')]),
      // H: opened two hours ago (tab age 1 h to 1 day), beats again in phase two.
      request(H, 'load_H_0001', 'v1', N - 7200 * S, [beat(N - 7200 * S, 'visible')]),
    ]
    await sendAll(key, first)
    // The first ask builds the index (and is answered by the table meanwhile).
    expect(await eventually(async () => (await liveSessionsFromEvents({ projectId: project.id, at: N, windowSeconds: W })).total, 3)).toBe(3)
    await liveSessions({ projectId: project.id, at: N, windowSeconds: W })
    expect(await eventually(async () => liveIndexFor(project.id, N, W * S) !== null, true), 'the index is built').toBe(true)

    // Phase two, fed to the index as it is stored.
    const second: Request[] = [
      // B reloads into v2.
      request(B, 'load_B_0002', 'v2', N - 30 * S, [{ id: uid('evt'), type: 'load', ts: N - 30 * S, visibility: 'visible', navigation: 'reload', previousVersion: 'v1' }]),
      // C's late beat: earlier than the hidden one already stored.
      request(C, 'load_C_0001', 'v1', N - 45 * S, [beat(N - 100 * S, 'visible')]),
      request(D, 'load_D_0001', 'v1', N - 20 * S, [{ id: uid('evt'), type: 'resume', ts: N - 20 * S }]),
      // E: idle, then unsaved and hidden.
      request(E, 'load_E_0001', 'v2', N - 90 * S, [beat(N - 90 * S, 'visible', { idle: true })]),
      request(E, 'load_E_0001', 'v2', N - 10 * S, [beat(N - 10 * S, 'hidden', { unsaved: true })]),
      request(H, 'load_H_0001', 'v1', N - 30 * S, [beat(N - 30 * S, 'hidden')]),
      // I: one batch, its events out of order.
      request(I, 'load_I_0001', 'v2', N - 20 * S, [beat(N - 20 * S, 'visible'), beat(N - 80 * S, 'hidden')]),
    ]
    await sendAll(key, second)
    // Every phase-one request replayed (a client retrying lost answers): the same event ids, stored twice.
    await sendAll(key, first)

    // Hand-computed (docs/semantics.md, Liveness).
    const atN = {
      total: 7,
      versions: [
        { version: 'v1', sessions: 4, visible: 1, hidden: 3 }, // A visible; C hidden (its late beat is older); D hidden (the lookback); H hidden
        { version: 'v2', sessions: 3, visible: 2, hidden: 1 }, // B visible (its reload); I visible (its latest); E hidden
      ],
    }
    const atN60 = {
      total: 6,
      versions: [
        { version: 'v1', sessions: 4, visible: 4, hidden: 0 }, // A, B (before its reload), C (the late beat), G
        { version: 'v2', sessions: 2, visible: 1, hidden: 1 }, // E visible (idle), I hidden
      ],
    }
    const sql = (at: number) => liveSessionsFromEvents({ projectId: project.id, at, windowSeconds: W })
    expect(counts(await eventually(async () => counts(await sql(N)), atN).then(() => sql(N)))).toEqual(atN)
    expect(counts(await eventually(async () => counts(await sql(N - 60 * S)), atN60).then(() => sql(N - 60 * S)))).toEqual(atN60)

    // The index answers, and answers the same, at every instant.
    for (const at of [N, N - 10 * S, N - 20 * S, N - 45 * S, N - 60 * S]) {
      expect(liveIndexFor(project.id, at, W * S), `index covers N - ${(N - at) / S} s`).not.toBeNull()
      const fromIndex = await eventually(async () => counts(await liveSessions({ projectId: project.id, at, windowSeconds: W })), counts(await sql(at)))
      expect(fromIndex, `liveSessions at N - ${(N - at) / S} s`).toEqual(counts(await sql(at)))
      const tabs = await eventually(async () => byKey(await liveTabs({ projectId: project.id, at, windowSeconds: W })), byKey(await liveTabsFromEvents({ projectId: project.id, at, windowSeconds: W })))
      expect(tabs, `liveTabs at N - ${(N - at) / S} s`).toEqual(byKey(await liveTabsFromEvents({ projectId: project.id, at, windowSeconds: W })))
      const ages = await versionTabAgesFromEvents({ projectId: project.id, at, windowSeconds: W })
      expect(ages.length, 'versions with live tabs').toBeGreaterThan(0)
      expect(await versionTabAges({ projectId: project.id, at, windowSeconds: W }), `versionTabAges at N - ${(N - at) / S} s`).toEqual([...ages].sort((a, b) => a.version.localeCompare(b.version)))
    }
    // liveMinutes' minutes after the rollup's edge (none here: nothing rolled up) from the index, as the SELECT over the events.
    const minuteParams = { projectId: project.id, from: Math.floor((N - 240 * S) / 60_000) * 60_000, to: N, windowSeconds: W }
    for (const byVisibility of [true, false]) {
      const fromSql = await liveMinutes({ ...minuteParams, byVisibility, source: 'raw' })
      expect(new Set(fromSql.map((r) => r.version)), 'minutes with live sessions of both versions').toEqual(new Set(['v1', 'v2']))
      const reads: string[] = []
      const off = onQueryTimed((q) => reads.push(q.name))
      const fromIndex = await liveMinutes({ ...minuteParams, byVisibility })
      off()
      expect(fromIndex, `liveMinutes by visibility: ${byVisibility}`).toEqual(fromSql)
      expect(reads, 'the index answered the raw minutes').not.toContain('liveMinutes.raw')
    }
    // Live sessions at arbitrary instants (the releases' summaries) from the index, as the SELECT at each instant.
    const instants = [N, N - 20 * S, N - 60 * S]
    const atInstantsSql = await liveAtInstants({ projectId: project.id, instants, windowSeconds: W, source: 'raw' })
    expect(Object.fromEntries(atInstantsSql.get(N)!)).toEqual({ v1: 4, v2: 3 })
    const reads: string[] = []
    const off = onQueryTimed((q) => reads.push(q.name))
    const atInstantsIndex = await liveAtInstants({ projectId: project.id, instants, windowSeconds: W })
    off()
    expect(atInstantsIndex).toEqual(atInstantsSql)
    expect(reads, 'the index answered the instants').not.toContain('liveAtInstants')
    expect(counts(await liveSessions({ projectId: project.id, at: N, windowSeconds: W }))).toEqual(atN)
    expect(counts(await liveSessions({ projectId: project.id, at: N - 60 * S, windowSeconds: W }))).toEqual(atN60)
    const row = (version: string, visibility: string, idle: boolean, unsaved: boolean, ageBucket: number, sessions: number): LiveTabsRow => ({ version, visibility, idle, unsaved, ageBucket, sessions })
    expect(byKey(await liveTabs({ projectId: project.id, at: N, windowSeconds: W }))).toEqual(
      byKey([
        row('v1', 'visible', false, false, 0, 1), // A
        row('v1', 'hidden', false, false, 0, 1), // C
        row('v1', '', false, false, 0, 1), // D: the window's resume carries no visibility, and liveTabs looks back for none
        row('v1', 'hidden', false, false, 1, 1), // H: opened two hours ago
        row('v2', 'visible', false, false, 0, 2), // B, I
        row('v2', 'hidden', false, true, 0, 1), // E: its latest heartbeat's unsaved
      ]),
    )
  })
}
