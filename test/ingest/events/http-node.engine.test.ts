import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ingestMetrics } from '@/ingest/edge/metrics'
import { store } from '@/lib/store/client'
import { table } from '@/lib/store/tables'
import { liveSessions } from '@/lib/figures/live-sessions/read-now'
import { runQuery } from '@/lib/store/run-query'
import { startIngestServer } from '../../support/ingest-server'
import { useEngine, testProject } from '../../support/engine'
import { envelope, heartbeat, post, uid } from '../../support/envelopes'

useEngine()

let server: Awaited<ReturnType<typeof startIngestServer>>
let key: string
let projectId: string

beforeAll(async () => {
  server = await startIngestServer()
  const project = await testProject('ingest')
  key = project.ingestKey
  projectId = project.id
})
afterAll(() => server.close())

async function storedIds(ids: string[]): Promise<string[]> {
  const rows = await runQuery<{ event_id: string }>(
    'test.storedIds',
    `SELECT DISTINCT event_id FROM ${table('events')} WHERE project_id = {p:String} AND event_id IN {ids:Array(String)}`,
    { p: projectId, ids },
  )
  return rows.map((r) => r.event_id).sort()
}

const errorBody = (code: string) => ({ error: { code, message: expect.any(String) } })

describe('POST /api/ingest answers', () => {
  it('200 with accepted, rejected, latest and minSupported for a valid batch', async () => {
    const now = Date.now()
    const res = await post(server.url, envelope(key, 'v1', [heartbeat(now)]), 'text/plain;charset=UTF-8')
    expect(res.status).toBe(200)
    // No release registered: no answer names a latest (docs/semantics.md, What a tab is told).
    expect(res.json).toEqual({ accepted: 1, rejected: [], latest: null, minSupported: null, belowMinimum: false, reloadIn: null })
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
  })

  it('takes the key from ?key= too', async () => {
    const { key: _omit, ...body } = envelope(key, 'v1', [heartbeat(Date.now())])
    expect((await post(`${server.url}?key=${key}`, body)).status).toBe(200)
  })

  it('answers a CORS preflight', async () => {
    const res = await fetch(server.url, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } })
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-methods')).toContain('POST')
  })

  it('400 for malformed JSON', async () => {
    const res = await post(server.url, '{"session":', 'application/json')
    expect(res.status).toBe(400)
    expect(res.json).toEqual(errorBody('invalid_json'))
  })

  it('400 for a bad envelope, naming the field', async () => {
    const res = await post(server.url, { ...envelope(key, 'v1', [heartbeat(Date.now())]), session: 'short' })
    expect(res.status).toBe(400)
    expect(res.json).toEqual(errorBody('invalid_envelope'))
    expect((res.json as { error: { message: string } }).error.message).toMatch(/^session:/)
    const tooMany = await post(server.url, envelope(key, 'v1', Array.from({ length: 101 }, () => heartbeat(Date.now()))))
    expect(tooMany.status).toBe(400)
    expect((tooMany.json as { error: { message: string } }).error.message).toMatch(/^events:/)
  })

  it('401 for a missing or unknown key', async () => {
    const { key: _omit, ...noKey } = envelope(key, 'v1', [heartbeat(Date.now())])
    const missing = await post(server.url, noKey)
    expect(missing.status).toBe(401)
    expect(missing.json).toEqual(errorBody('missing_key'))
    const unknown = await post(server.url, envelope('swk_not_a_real_key', 'v1', [heartbeat(Date.now())]))
    expect(unknown.status).toBe(401)
    expect(unknown.json).toEqual(errorBody('unknown_key'))
  })

  it('413 for a body over 64 KiB', async () => {
    const big = JSON.stringify({ ...envelope(key, 'v1', [heartbeat(Date.now())]), padding: 'x'.repeat(70_000) })
    const res = await post(server.url, big)
    expect(res.status).toBe(413)
    expect(res.json).toEqual(errorBody('body_too_large'))
  })

  it('415 for other content types', async () => {
    const res = await post(server.url, envelope(key, 'v1', [heartbeat(Date.now())]), 'application/x-www-form-urlencoded')
    expect(res.status).toBe(415)
    expect(res.json).toEqual(errorBody('unsupported_media_type'))
  })

  it('405 for other methods', async () => {
    const res = await fetch(server.url, { method: 'GET' })
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe('POST, OPTIONS')
    expect(await res.json()).toEqual(errorBody('method_not_allowed'))
  })
})

describe('ingest counters', () => {
  it('count accepted events and rejections by reason, for /api/metrics', async () => {
    const metrics = ingestMetrics()
    const before = { accepted: metrics.accepted, envelope: metrics.rejectedByReason.get('invalid_envelope') ?? 0, event: metrics.rejectedByReason.get('invalid_event') ?? 0 }
    await post(server.url, envelope(key, 'v1', [heartbeat(Date.now()), { id: 'bad_event_0001', type: 'nope' } as never]))
    await post(server.url, { ...envelope(key, 'v1', [heartbeat(Date.now())]), load: '!' })
    expect(metrics.accepted - before.accepted).toBe(1)
    expect((metrics.rejectedByReason.get('invalid_event') ?? 0) - before.event).toBe(1)
    expect((metrics.rejectedByReason.get('invalid_envelope') ?? 0) - before.envelope).toBe(1)
  })
})

describe('ingest storage', () => {
  it('stores the valid events of a mixed batch and reports the invalid ones by id', async () => {
    const now = Date.now()
    const good = [heartbeat(now - 2000), { id: uid('evt'), type: 'reload' as const, ts: now - 1000, reason: 'forced' as const }]
    const bad = [
      { id: 'bad_visibility_1', type: 'heartbeat', ts: now, visibility: 'sideways' },
      { id: 'bad_type_0001', type: 'teleport', ts: now },
    ]
    const res = await post(server.url, envelope(key, 'v1', [...good, ...(bad as never[])]))
    expect(res.status).toBe(200)
    const body = res.json as { accepted: number; rejected: { id: string; error: string }[] }
    expect(body.accepted).toBe(2)
    expect(body.rejected.map((r) => r.id)).toEqual(['bad_visibility_1', 'bad_type_0001'])
    expect(body.rejected[0]!.error).toMatch(/^events\.2\.visibility/)
    expect(await storedIds([...good.map((e) => e.id), 'bad_visibility_1', 'bad_type_0001'])).toEqual(good.map((e) => e.id).sort())
  })

  it('counts a resent batch once', async () => {
    const project = await testProject('resend')
    const now = Date.now()
    const batch = envelope(project.ingestKey, 'v7', [heartbeat(now - 3000), heartbeat(now - 2000, 'hidden')])
    expect((await post(server.url, batch)).status).toBe(200)
    expect((await post(server.url, { ...batch, sentAt: Date.now() })).status).toBe(200)
    const live = await liveSessions({ projectId: project.id, at: Date.now(), windowSeconds: 180 })
    expect(live.total).toBe(1)
    expect(live.versions).toEqual([{ version: 'v7', sessions: 1, visible: 0, hidden: 1 }])
    const [counted] = await runQuery<{ events: number }>(
      'test.distinctEvents',
      `SELECT uniqExact(event_id) AS events FROM ${table('events')} WHERE project_id = {p:String}`,
      { p: project.id },
    )
    expect(Number(counted!.events)).toBe(2)
  })

  it('shares inserts between concurrent requests and acknowledges each only once its events are queryable', async () => {
    const before = ingestMetrics().inserts
    const requests = Array.from({ length: 40 }, () => envelope(key, 'v2', [heartbeat(Date.now()), heartbeat(Date.now())]))
    const visibleAtAck = await Promise.all(
      requests.map(async (body) => {
        const res = await post(server.url, body)
        expect(res.status).toBe(200)
        // Checked the moment the 2xx arrives: stored means queryable now.
        return (await storedIds(body.events.map((e) => e.id))).length
      }),
    )
    expect(visibleAtAck).toEqual(requests.map(() => 2))
    const inserts = ingestMetrics().inserts - before
    expect(inserts).toBeGreaterThan(0)
    expect(inserts).toBeLessThan(requests.length / 4)
  })

  it('answers 503 with Retry-After and acknowledges nothing when the write fails, then recovers', async () => {
    const client = store().query
    const events = table('events')
    await client.command({ query: `RENAME TABLE ${events} TO ${events}_away` })
    const body = envelope(key, 'v3', [heartbeat(Date.now())])
    let res
    try {
      res = await post(server.url, body)
    } finally {
      await client.command({ query: `RENAME TABLE ${events}_away TO ${events}` })
    }
    expect(res.status).toBe(503)
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(res.json).toEqual(errorBody('storage_unavailable'))
    expect(await storedIds(body.events.map((e) => e.id))).toEqual([])

    const retry = await post(server.url, { ...body, sentAt: Date.now() })
    expect(retry.status).toBe(200)
    expect(await storedIds(body.events.map((e) => e.id))).toEqual(body.events.map((e) => e.id))
  })
})
