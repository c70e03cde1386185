import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ANSWER_HEADER, asciiJson } from '@/ingest/edge/answers'
import { handleIngestRequest } from '@/ingest/events/http-web'
import { ingestMetrics } from '@/ingest/edge/metrics'
import { ingestRuntime } from '@/ingest/events/runtime'
import { registerRelease, setMinSupported } from '@/lib/releases/release-store'
import type { HeaderAnswer } from '@/sdk/src/wire'
import { storedEvents } from '../../support/ingest-requests'
import { startIngestServer } from '../../support/ingest-server'
import { useEngine, testProject } from '../../support/engine'
import { envelope, heartbeat } from '../../support/envelopes'

// ?answer=header: a request whose events are all accepted gets 204 and the
// versions in the stalewatch-answer header; anything else keeps the 200 JSON
// body that SDKs in tabs opened before this change read.

useEngine()

let server: Awaited<ReturnType<typeof startIngestServer>>
beforeAll(async () => {
  server = await startIngestServer()
})
afterAll(() => server.close())

const NEW = '2026.11.0-β'
const HOUR = 3_600_000

/** A project whose latest release and minimum supported version are NEW, so a v1 tab is below the minimum. */
async function projectOnNew(name: string) {
  const project = await testProject(name)
  await registerRelease({ project: project.id, version: 'v1', releasedAt: Date.now() - 2 * HOUR })
  await registerRelease({ project: project.id, version: NEW, releasedAt: Date.now() - HOUR })
  await setMinSupported(project.id, NEW)
  return project
}

async function send(url: string, body: unknown) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8' }, body: JSON.stringify(body) })
  return { status: response.status, headers: response.headers, text: await response.text() }
}

const storedIds = async (projectId: string) => (await storedEvents(projectId)).map((e) => e.event_id).sort()
// Below the minimum: a slot in the wave it started, after the wave's lead (docs/rollout.md).
const expected: HeaderAnswer = { latest: NEW, minSupported: NEW, belowMinimum: true, reloadIn: expect.any(Number) }

describe('?answer=header', () => {
  it('answers a fully accepted batch 204 with no body and the versions in the header, and stores the events', async () => {
    const project = await projectOnNew('header-204')
    const events = [heartbeat(Date.now() - 2000), heartbeat(Date.now() - 1000, 'hidden')]
    const acceptedBefore = ingestMetrics().accepted
    const res = await send(`${server.url}?answer=header`, envelope(project.ingestKey, 'v1', events))
    expect(res.status).toBe(204)
    expect(res.text).toBe('')
    expect(res.headers.get('content-type')).toBeNull()
    const raw = res.headers.get(ANSWER_HEADER)!
    // Header values are byte strings: ASCII only, the β escaped.
    expect(raw).toMatch(/^[\x20-\x7e]+$/)
    expect(raw).toContain('\\u03b2')
    expect(JSON.parse(raw)).toEqual(expected)
    expect(res.headers.get('access-control-expose-headers')?.split(/,\s*/)).toEqual(expect.arrayContaining(['retry-after', ANSWER_HEADER]))
    expect(await storedIds(project.id)).toEqual(events.map((e) => e.id).sort())
    // The counters of /api/metrics see the events a 204 accepted.
    expect(ingestMetrics().accepted - acceptedBefore).toBe(2)
  })

  it('reads the opt-in next to ?key=', async () => {
    const project = await projectOnNew('header-key')
    const { key: _omit, ...body } = envelope(project.ingestKey, 'v1', [heartbeat(Date.now())])
    const res = await send(`${server.url}?key=${project.ingestKey}&answer=header`, body)
    expect(res.status).toBe(204)
    expect(JSON.parse(res.headers.get(ANSWER_HEADER)!)).toEqual(expected)
  })

  it('answers 200 with the JSON body when an event is rejected, and stores the valid ones', async () => {
    const project = await projectOnNew('header-rejected')
    const good = heartbeat(Date.now())
    const res = await send(`${server.url}?answer=header`, envelope(project.ingestKey, 'v1', [good, { id: 'bad_type_0001', type: 'teleport', ts: Date.now() } as never]))
    expect(res.status).toBe(200)
    expect(res.headers.get(ANSWER_HEADER)).toBeNull()
    expect(JSON.parse(res.text)).toEqual({ accepted: 1, rejected: [{ id: 'bad_type_0001', code: 'invalid_event', error: expect.stringMatching(/^events\.1\./) }], ...expected })
    expect(await storedIds(project.id)).toEqual([good.id])
  })

  it('leaves the 200 JSON body unchanged without the opt-in (SDKs already running in open tabs)', async () => {
    const project = await projectOnNew('header-none')
    for (const query of ['', '?answer=json']) {
      const res = await send(`${server.url}${query}`, envelope(project.ingestKey, 'v1', [heartbeat(Date.now())]))
      expect(res.status).toBe(200)
      expect(res.headers.get(ANSWER_HEADER)).toBeNull()
      // Non-ASCII stays as UTF-8 in a body.
      expect(JSON.parse(res.text)).toEqual({ accepted: 1, rejected: [], ...expected })
    }
  })

  it('leaves error answers unchanged', async () => {
    const res = await send(`${server.url}?answer=header`, envelope('swk_not_a_real_key', 'v1', [heartbeat(Date.now())]))
    expect(res.status).toBe(401)
    expect(res.headers.get(ANSWER_HEADER)).toBeNull()
    expect(JSON.parse(res.text)).toEqual({ error: { code: 'unknown_key', message: expect.any(String) } })
  })

  it('works the same through the Fetch API adapter (the Next.js route)', async () => {
    const project = await projectOnNew('header-web')
    const event = heartbeat(Date.now())
    const request = new Request('http://localhost/api/ingest?answer=header', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify(envelope(project.ingestKey, 'v1', [event])),
    })
    const res = await handleIngestRequest(request, ingestRuntime().deps)
    expect(res.status).toBe(204)
    expect(res.body).toBeNull()
    expect(JSON.parse(res.headers.get(ANSWER_HEADER)!)).toEqual(expected)
    expect(await storedIds(project.id)).toEqual([event.id])
  })
})

describe('asciiJson', () => {
  it('escapes everything from DEL up, and JSON.parse gives back the same strings', () => {
    const value = { latest: '2026.11.0-β', minSupported: 'déploiement 🚀\u007f', belowMinimum: false, plain: 'v"1\\' }
    const text = asciiJson(value)
    expect(text).toMatch(/^[\x20-\x7e]+$/)
    expect(JSON.parse(text)).toEqual(value)
    expect(asciiJson({ latest: 'v2' })).toBe('{"latest":"v2"}')
  })
})
