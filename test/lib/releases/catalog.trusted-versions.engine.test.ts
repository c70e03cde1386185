import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { IngestAnswer, IngestEnvelope, WireEvent } from '@/sdk/src/wire'
import { projectById } from '@/lib/projects/project-directory'
import { invalidateCatalog } from '@/lib/releases/catalog-staleness'
import { listFirstSeen, registerRelease, setMinSupported } from '@/lib/releases/release-store'
import { chartContext } from '@/lib/figures/chart-context'
import { projectOverview } from '@/lib/figures/overview'
import { testProject, useEngine } from '../../support/engine'
import { envelope, heartbeat, post } from '../../support/envelopes'
import { startIngestServer } from '../../support/ingest-server'
import { storedEvents } from '../../support/ingest-requests'
import * as minSupportedRoute from '@/app/api/projects/[id]/min-supported/route'

// Issue 22, finding 2: what a tab is told (latest, below the minimum) must
// not rest on anything the public ingest key alone can say. Against the real
// engine, over loopback HTTP, as an outsider holding only the project's key.

useEngine()

const DAY = 24 * 3600_000
const POLL = { timeout: 30_000, interval: 200 }
let ingest: { url: string; close: () => Promise<void> }

beforeAll(async () => {
  ingest = await startIngestServer()
})
afterAll(async () => ingest?.close())

/** One tab on one build: its session stays, each send is a heartbeat (or the given events), the answer is the 200 JSON body. */
function tab(key: string, version: string) {
  const session = envelope(key, version, []).session
  return async (events: WireEvent[] = [heartbeat(Date.now(), 'hidden')], overrides: Partial<IngestEnvelope> = {}): Promise<IngestAnswer> => {
    const answer = await post(ingest.url, envelope(key, version, events, { session, ...overrides }))
    expect(answer.status).toBe(200)
    return answer.json as IngestAnswer
  }
}

/** Waits until every event of `ids` is in the events table (the ingest log stores them about a second after acknowledging). */
async function stored(projectId: string, ids: string[]): Promise<void> {
  await expect.poll(async () => {
    const have = new Set((await storedEvents(projectId)).map((e) => e.event_id))
    return ids.filter((id) => !have.has(id))
  }, POLL).toEqual([])
}

/** A version's first-seen time once it has one. */
async function firstSeenOf(projectId: string, version: string): Promise<number> {
  await expect.poll(async () => (await listFirstSeen(projectId)).has(version), POLL).toBe(true)
  return (await listFirstSeen(projectId)).get(version)!
}

describe('a project with no registered releases', () => {
  it('one event of a forged new version does not become a real tab\'s latest', async () => {
    const p = await testProject('forged-latest')
    const real = tab(p.ingestKey, 'build-1')
    await real()
    await firstSeenOf(p.id, 'build-1')

    // An outsider with the public key reports a version nobody deployed.
    const forged = heartbeat(Date.now())
    await tab(p.ingestKey, 'build-2-forged')([forged])
    await stored(p.id, [forged.id])
    await firstSeenOf(p.id, 'build-2-forged')
    invalidateCatalog(p.id)

    const answer = await real()
    expect({ latest: answer.latest, belowMinimum: answer.belowMinimum }).toEqual({ latest: null, belowMinimum: false })

    // The dashboard still shows every version it saw.
    const overview = await projectOverview(await chartContext((await projectById(p.id))!), Date.now())
    expect(overview.versions.map((v) => v.version).sort()).toEqual(['build-1', 'build-2-forged'])

    // A release registered with a deploy token (or by the admin) is what tabs are told.
    await registerRelease({ project: p.id, version: 'build-3' })
    expect((await real()).latest).toBe('build-3')
  })

  it('one event of the current build dated back cannot put it behind the previous build, call it stale, or put its tabs below the minimum', async () => {
    const p = await testProject('dated-back')
    const previous = tab(p.ingestKey, 'build-1')
    const current = tab(p.ingestKey, 'build-2')
    await previous()
    const seen1 = await firstSeenOf(p.id, 'build-1')
    await current()
    const seen2 = await firstSeenOf(p.id, 'build-2')
    expect(seen2).toBeGreaterThan(seen1)
    await setMinSupported(p.id, 'build-1')

    // An outsider sends one event of the current build that claims to be 29
    // days old, and one an hour old, each beside an event of now.
    const now = Date.now()
    const old = heartbeat(now - 29 * DAY)
    const hourOld = heartbeat(now - 3600_000)
    const marker = heartbeat(now)
    await tab(p.ingestKey, 'build-2')([old, hourOld, marker], { sentAt: now })
    await stored(p.id, [marker.id, hourOld.id])

    // build-2's first-seen time has not moved: it is still after build-1's.
    expect((await listFirstSeen(p.id)).get('build-2')).toBe(seen2)

    invalidateCatalog(p.id)
    const overview = await projectOverview(await chartContext((await projectById(p.id))!), Date.now())
    expect(overview.latest?.version).toBe('build-2')
    expect(overview.versions.find((v) => v.version === 'build-2')?.status).not.toBe('stale')

    // A tab of the current build is not below the minimum (build-1).
    expect((await current()).belowMinimum).toBe(false)
  })

  it('refuses, per event and with a code, an event dated before the bound; the other events of the request are stored', async () => {
    const p = await testProject('too-old')
    const now = Date.now()
    const old = heartbeat(now - 29 * DAY)
    const ahead = heartbeat(now + 3600_000)
    const fine = heartbeat(now)
    const answer = await tab(p.ingestKey, 'build-1')([old, ahead, fine], { sentAt: now })
    expect(answer.accepted).toBe(1)
    expect(answer.rejected).toEqual([
      { id: old.id, code: 'event_too_old', error: expect.stringMatching(/STALEWATCH_EVENT_MAX_AGE_HOURS/) },
      { id: ahead.id, code: 'event_in_future', error: expect.stringMatching(/STALEWATCH_EVENT_MAX_FUTURE_SECONDS/) },
    ])
    await stored(p.id, [fine.id])
    expect((await storedEvents(p.id)).map((e) => e.event_id)).toEqual([fine.id])
  })
})

describe('a project with registered releases', () => {
  it('tells a tab of an older registered release it is below a registered minimum', async () => {
    const p = await testProject('registered-minimum')
    await registerRelease({ project: p.id, version: 'r1', releasedAt: Date.now() - 2 * 3600_000 })
    await registerRelease({ project: p.id, version: 'r2', releasedAt: Date.now() - 3600_000 })
    await setMinSupported(p.id, 'r2')
    const old = tab(p.ingestKey, 'r1')
    const answer = await old()
    expect({ latest: answer.latest, minSupported: answer.minSupported, belowMinimum: answer.belowMinimum }).toEqual({ latest: 'r2', minSupported: 'r2', belowMinimum: true })
    expect((await tab(p.ingestKey, 'r2')()).belowMinimum).toBe(false)
    // A version only the public key reported is never below the minimum: nothing trusted orders it.
    expect((await tab(p.ingestKey, 'unregistered-x')()).belowMinimum).toBe(false)
  })
})

describe('setting the minimum', () => {
  it('refuses a version that is not a registered release (no tab would ever be below it), and takes a registered one', async () => {
    const p = await testProject('minimum-registered')
    await tab(p.ingestKey, 'seen-only')()
    await firstSeenOf(p.id, 'seen-only')
    await registerRelease({ project: p.id, version: 'r1' })
    const put = async (version: string | null) => {
      const request = new Request('http://dash.test/', {
        method: 'PUT',
        headers: { authorization: `Bearer ${p.deployToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ version }),
      })
      const response = await minSupportedRoute.PUT(request, { params: Promise.resolve({ id: p.id }) })
      return { status: response.status, body: (await response.json()) as { minSupported?: string | null; error?: { code: string; message: string } } }
    }
    const refused = await put('seen-only')
    expect({ status: refused.status, code: refused.body.error?.code }).toEqual({ status: 404, code: 'unknown_version' })
    expect(refused.body.error?.message).toMatch(/not a registered release/)
    expect(await put('r1')).toMatchObject({ status: 200, body: { minSupported: 'r1' } })
    expect(await put(null)).toMatchObject({ status: 200, body: { minSupported: null } })
  })
})
