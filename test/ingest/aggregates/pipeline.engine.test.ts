import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGGREGATE_LIMITS } from '@/sdk/src/server/wire'
import { adminToken } from '@/lib/auth/admin-token'
import { registerRelease } from '@/lib/releases/release-store'
import { invalidateProjectDirectory } from '@/lib/projects/directory-staleness'
import { sha256Hex } from '@/lib/ids'
import { runQuery } from '@/lib/store/run-query'
import { table } from '@/lib/store/tables'
import { useEngine, testProject } from '../../support/engine'
import { envelope, heartbeat, post } from '../../support/envelopes'
import { backendLoadMinutes, item, minuteOf, postAggregates, startStalewatchIngest, storedByLabels } from '../../support/backend-load'

// POST /api/ingest/aggregates on the node:http front door (and its Next.js
// route), against the real engine: what is stored, what is refused and why,
// and which key may do what.

useEngine()

let ingest: Awaited<ReturnType<typeof startStalewatchIngest>>
beforeAll(async () => {
  ingest = await startStalewatchIngest()
})
afterAll(() => ingest.close())

/** A project whose tabs have reported `versions` (so aggregates of them keep their names). */
async function projectWithTabs(name: string, versions: string[] = ['v1', 'v2']) {
  const project = await testProject(name)
  for (const version of versions) expect((await post(`${ingest.url}/api/ingest`, envelope(project.ingestKey, version, [heartbeat(Date.now())]))).status).toBe(200)
  return project
}

const errorOf = (json: unknown) => (json as { error?: { code: string; message: string } }).error

describe('POST /api/ingest/aggregates stores valid items', () => {
  it('stores every item of a valid request, summed per label set, and the read query sums per minute by version', async () => {
    const p = await projectWithTabs('agg-valid')
    const now = Date.now()
    const m0 = minuteOf(now) - 60_000
    const m1 = minuteOf(now)
    const items = [
      item({ minute: m0, version: 'v1', route: '/api/items/:id', status: '2xx', count: 40 }),
      item({ minute: m0, version: 'v1', route: '/api/items/:id', status: '5xx', count: 2 }),
      item({ minute: m1, version: 'v1', route: '/api/items/:id', status: '2xx', count: 7 }),
      item({ minute: m1, version: 'v2', route: '/api/cart', status: '4xx', count: 3 }),
      item({ minute: m1, version: 'unknown', route: '/', status: '3xx', count: 5 }),
      item({ minute: m1, kind: 'ws_reconnect', version: 'v1', route: '/socket', status: '1xx', count: 9 }),
    ]
    const first = await postAggregates(ingest.aggregatesUrl, p.serverKey, { sentAt: now, items })
    expect(first).toEqual({ status: 200, json: { accepted: 6, relabelled: 0, rejected: [] } })
    // The same labels again, from another server or the next 10 s: summed.
    expect((await postAggregates(ingest.aggregatesUrl, p.serverKey, { sentAt: now, items: [items[2]] })).status).toBe(200)

    expect(await storedByLabels(p.id)).toEqual([
      { kind: 'http', version: 'unknown', route_group: '/', status_class: '3xx', requests: 5 },
      { kind: 'http', version: 'v1', route_group: '/api/items/:id', status_class: '2xx', requests: 54 },
      { kind: 'http', version: 'v1', route_group: '/api/items/:id', status_class: '5xx', requests: 2 },
      { kind: 'http', version: 'v2', route_group: '/api/cart', status_class: '4xx', requests: 3 },
      { kind: 'ws_reconnect', version: 'v1', route_group: '/socket', status_class: '1xx', requests: 9 },
    ])
    expect(await backendLoadMinutes({ projectId: p.id, from: m0, to: m1 + 60_000, kinds: ['http'] })).toEqual([
      { minute: m0, kind: 'http', version: 'v1', requests: 42, serverErrors: 2 },
      { minute: m1, kind: 'http', version: 'unknown', requests: 5, serverErrors: 0 },
      { minute: m1, kind: 'http', version: 'v1', requests: 14, serverErrors: 0 },
      { minute: m1, kind: 'http', version: 'v2', requests: 3, serverErrors: 0 },
    ])
    // The window is [from, to): the last minute alone, and every kind by default.
    expect((await backendLoadMinutes({ projectId: p.id, from: m1, to: m1 + 60_000 })).map((r) => `${r.kind} ${r.version} ${r.requests}`)).toEqual([
      'http unknown 5',
      'http v1 14',
      'http v2 3',
      'ws_reconnect v1 9',
    ])
  })

  it('counts a version the project does not know as unknown: only tabs and releases make a version known', async () => {
    const p = await projectWithTabs('agg-known', ['v1'])
    await registerRelease({ project: p.id, version: 'v3-released' })
    const items = [item({ version: 'v1', count: 1 }), item({ version: 'v3-released', count: 2 }), item({ version: 'made-up-by-a-client', count: 4 }), item({ version: 'other', count: 8 })]
    const res = await postAggregates(ingest.aggregatesUrl, p.serverKey, { sentAt: Date.now(), items })
    expect(res).toEqual({ status: 200, json: { accepted: 4, relabelled: 1, rejected: [] } })
    expect((await storedByLabels(p.id)).map((r) => [r.version, r.requests])).toEqual([
      ['other', 8],
      ['unknown', 4],
      ['v1', 1],
      ['v3-released', 2],
    ])
  })
})

describe('bad input gets a clear 4xx, per item where possible', () => {
  it('rejects each bad item by index with a code, and stores the valid ones of the same request', async () => {
    const p = await projectWithTabs('agg-bad-items')
    const now = Date.now()
    const bad = [
      item({ count: -1 }),
      item({ count: 0 }),
      item({ count: 1.5 }),
      item({ count: AGGREGATE_LIMITS.maxCount + 1 }),
      item({ minute: minuteOf(now) + 10 * 60_000 }),
      item({ minute: minuteOf(now) - 2 * 3600_000 }),
      item({ minute: minuteOf(now) + 1234 }),
      item({ version: 'x'.repeat(65) }),
      item({ version: '' }),
      item({ version: 'v1\u0000' }),
      item({ route: '' }),
      item({ route: '/'.repeat(AGGREGATE_LIMITS.maxRouteLength + 1) }),
      { ...item(), kind: 'sse' },
      { ...item(), status: '200' },
      'not an item',
    ]
    const good = [item({ version: 'v1', count: 11 }), item({ version: 'v2', count: 13 })]
    const res = await postAggregates(ingest.aggregatesUrl, p.serverKey, { sentAt: now, items: [good[0], ...bad, good[1]] })
    expect(res.status).toBe(200)
    const answer = res.json as { accepted: number; rejected: { index: number; code: string; message: string }[] }
    expect(answer.accepted).toBe(2)
    expect(answer.rejected.map((r) => [r.index, r.code])).toEqual([
      [1, 'invalid_count'],
      [2, 'invalid_count'],
      [3, 'invalid_count'],
      [4, 'invalid_count'],
      [5, 'future_window'],
      [6, 'stale_window'],
      [7, 'invalid_window'],
      [8, 'invalid_version'],
      [9, 'invalid_version'],
      [10, 'invalid_version'],
      [11, 'invalid_item'],
      [12, 'invalid_item'],
      [13, 'invalid_item'],
      [14, 'invalid_item'],
      [15, 'invalid_item'],
    ])
    // Each message names the field and the rule.
    expect(answer.rejected[0]!.message).toMatch(/^items\.1\.count: must be at least 1/)
    expect(answer.rejected[3]!.message).toMatch(/items\.4\.count: must be at most 100000000/)
    expect(answer.rejected[4]!.message).toMatch(/after the receive time/)
    expect(answer.rejected[7]!.message).toMatch(/items\.8\.version: must be at most 64 characters/)
    expect(await storedByLabels(p.id)).toEqual([
      { kind: 'http', version: 'v1', route_group: '/api/items/:id', status_class: '2xx', requests: 11 },
      { kind: 'http', version: 'v2', route_group: '/api/items/:id', status_class: '2xx', requests: 13 },
    ])
  })

  it('answers 400 no_valid_items, with each item named, when none is valid, and stores nothing', async () => {
    const p = await projectWithTabs('agg-none-valid')
    const res = await postAggregates(ingest.aggregatesUrl, p.serverKey, { sentAt: Date.now(), items: [item({ count: -5 }), item({ version: 'x'.repeat(100) })] })
    expect(res.status).toBe(400)
    expect(errorOf(res.json)?.code).toBe('no_valid_items')
    expect((res.json as { rejected: { index: number }[] }).rejected.map((r) => r.index)).toEqual([0, 1])
    expect(await storedByLabels(p.id)).toEqual([])
  })

  it('refuses requests with too many labels, too many items or too many bytes as a whole', async () => {
    const p = await projectWithTabs('agg-limits')
    const versions = Array.from({ length: AGGREGATE_LIMITS.maxVersionsPerRequest + 1 }, (_, i) => item({ version: `v-${i}` }))
    const tooManyVersions = await postAggregates(ingest.aggregatesUrl, p.serverKey, { sentAt: Date.now(), items: versions })
    expect(tooManyVersions.status).toBe(400)
    expect(errorOf(tooManyVersions.json)).toEqual({ code: 'too_many_labels', message: expect.stringMatching(/201 distinct versions .* at most 200/) })

    const routes = Array.from({ length: AGGREGATE_LIMITS.maxRoutesPerRequest + 1 }, (_, i) => item({ route: `/r${i}` }))
    expect(errorOf((await postAggregates(ingest.aggregatesUrl, p.serverKey, { sentAt: Date.now(), items: routes })).json)?.code).toBe('too_many_labels')

    const items = Array.from({ length: AGGREGATE_LIMITS.maxItems + 1 }, () => item())
    const tooMany = await postAggregates(ingest.aggregatesUrl, p.serverKey, { sentAt: Date.now(), items })
    expect(tooMany.status).toBe(400)
    expect(errorOf(tooMany.json)).toEqual({ code: 'invalid_envelope', message: 'items: must hold at most 1000 items' })

    const huge = JSON.stringify({ sentAt: Date.now(), items: [item({ route: '/' + 'a'.repeat(AGGREGATE_LIMITS.maxBodyBytes) })] })
    const tooLarge = await postAggregates(ingest.aggregatesUrl, p.serverKey, huge)
    expect(tooLarge.status).toBe(413)
    expect(errorOf(tooLarge.json)?.code).toBe('body_too_large')
    expect(await storedByLabels(p.id)).toEqual([])
  })

  it('answers malformed requests with the error that says what is wrong', async () => {
    const p = await projectWithTabs('agg-malformed')
    const cases: [body: unknown, contentType: string, status: number, code: string][] = [
      ['{"sentAt":', 'application/json', 400, 'invalid_json'],
      [{ items: [item()] }, 'application/json', 400, 'invalid_envelope'],
      [{ sentAt: Date.now(), items: [] }, 'application/json', 400, 'invalid_envelope'],
      [{ sentAt: Date.now(), items: [item()] }, 'text/plain', 415, 'unsupported_media_type'],
    ]
    for (const [body, contentType, status, code] of cases) {
      const res = await postAggregates(ingest.aggregatesUrl, p.serverKey, body, contentType)
      expect([res.status, errorOf(res.json)?.code], JSON.stringify(body)).toEqual([status, code])
    }
    const get = await fetch(ingest.aggregatesUrl, { headers: { authorization: `Bearer ${p.serverKey}` } })
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST')
    // Server to server only: nothing invites a browser page to call it.
    expect(get.headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('keys', () => {
  it('only the server key sends aggregates; it cannot send tab events', async () => {
    const p = await projectWithTabs('agg-keys')
    const body = { sentAt: Date.now(), items: [item()] }
    const missing = await postAggregates(ingest.aggregatesUrl, null, body)
    expect([missing.status, errorOf(missing.json)?.code]).toEqual([401, 'missing_key'])
    const ingestKey = await postAggregates(ingest.aggregatesUrl, p.ingestKey, body)
    expect([ingestKey.status, errorOf(ingestKey.json)?.code]).toEqual([403, 'ingest_key_not_allowed'])
    const deployToken = await postAggregates(ingest.aggregatesUrl, p.deployToken, body)
    expect([deployToken.status, errorOf(deployToken.json)?.code]).toEqual([401, 'unknown_key'])
    const admin = await postAggregates(ingest.aggregatesUrl, adminToken(), body)
    expect([admin.status, errorOf(admin.json)?.code]).toEqual([401, 'unknown_key'])
    expect(await storedByLabels(p.id)).toEqual([])

    // The server key is no ingest key: tab events sent with it are refused, in the body or in the URL.
    const events = await post(`${ingest.url}/api/ingest`, envelope(p.serverKey, 'v1', [heartbeat(Date.now())]))
    expect([events.status, errorOf(events.json)?.code]).toEqual([401, 'unknown_key'])
    const { key: _omit, ...withoutKey } = envelope(p.serverKey, 'v1', [heartbeat(Date.now())])
    expect((await post(`${ingest.url}/api/ingest?key=${p.serverKey}`, withoutKey)).status).toBe(401)

    expect((await postAggregates(ingest.aggregatesUrl, p.serverKey, body)).status).toBe(200)
  })

  it('the server key is shown once: only its SHA-256 is stored, and no listing shows it', async () => {
    const p = await testProject('agg-key-hash')
    const [row] = await runQuery<{ server_key_hash: string; all: string }>(
      'test.serverKeyHash',
      `SELECT server_key_hash, toJSONString(tuple(*)) AS all FROM ${table('projects')} FINAL WHERE id = {id:String}`,
      { id: p.id },
    )
    expect(row!.server_key_hash).toBe(sha256Hex(p.serverKey))
    expect(row!.all).not.toContain(p.serverKey)
    const { GET } = await import('@/app/api/projects/route')
    const list = await GET(new Request('http://dash.test/api/projects', { headers: { authorization: `Bearer ${adminToken()}` } }), undefined as never)
    expect(list.status).toBe(200)
    expect(await list.text()).not.toContain(p.serverKey)
  })

  it('a server key of one project sends only its own project’s aggregates', async () => {
    const [a, b] = [await projectWithTabs('agg-owner-a'), await projectWithTabs('agg-owner-b')]
    expect((await postAggregates(ingest.aggregatesUrl, a.serverKey, { sentAt: Date.now(), items: [item({ count: 3 })] })).status).toBe(200)
    expect((await storedByLabels(a.id)).map((r) => r.requests)).toEqual([3])
    expect(await storedByLabels(b.id)).toEqual([])
  })

  it('rotating the server key (admin only) keeps the old one for the grace period, and 0 ends it at once', async () => {
    const p = await projectWithTabs('agg-rotate')
    const { POST } = await import('@/app/api/projects/[id]/rotate-server-key/route')
    const rotate = (bearer: string, graceSeconds?: number) =>
      POST(
        new Request(`http://dash.test/api/projects/${p.id}/rotate-server-key`, {
          method: 'POST',
          headers: { authorization: `Bearer ${bearer}`, ...(graceSeconds === undefined ? {} : { 'content-type': 'application/json' }) },
          body: graceSeconds === undefined ? undefined : JSON.stringify({ graceSeconds }),
        }),
        { params: Promise.resolve({ id: p.id }) },
      )
    expect((await rotate(p.serverKey)).status).toBe(401)
    expect((await rotate(p.ingestKey)).status).toBe(401)
    expect((await rotate(p.deployToken)).status).toBe(401)

    const send = async (key: string) => (await postAggregates(ingest.aggregatesUrl, key, { sentAt: Date.now(), items: [item()] })).status
    const first = await rotate(adminToken())
    expect(first.status).toBe(200)
    const rotated = (await first.json()) as { serverKey: string; previousKeyExpiresAt: number }
    expect(rotated.serverKey).toMatch(/^sws_[a-z0-9]{32}$/)
    expect(rotated.previousKeyExpiresAt).toBeGreaterThan(Date.now() + 3500_000)
    expect(await send(p.serverKey)).toBe(200)
    expect(await send(rotated.serverKey)).toBe(200)

    const second = (await (await rotate(adminToken(), 0)).json()) as { serverKey: string }
    invalidateProjectDirectory()
    expect(await send(rotated.serverKey)).toBe(401)
    expect(await send(second.serverKey)).toBe(200)
    // The first key keeps the grace it was given.
    expect(await send(p.serverKey)).toBe(200)
    expect((await rotate(adminToken(), -1)).status).toBe(400)
  })
})

describe('the Next.js route', () => {
  it('app/api/ingest/aggregates/route.ts answers like the node:http front door', async () => {
    const p = await projectWithTabs('agg-next')
    const { POST, GET } = await import('@/app/api/ingest/aggregates/route')
    const request = (key: string, body: unknown) =>
      new Request('http://stalewatch.test/api/ingest/aggregates', {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    const ok = await POST(request(p.serverKey, { sentAt: Date.now(), items: [item({ count: 4 }), item({ count: -4 })] }))
    expect(ok.status).toBe(200)
    expect(await ok.json()).toEqual({ accepted: 1, relabelled: 0, rejected: [{ index: 1, code: 'invalid_count', message: expect.stringMatching(/items\.1\.count/) }] })
    expect((await POST(request(p.ingestKey, { sentAt: Date.now(), items: [item()] }))).status).toBe(403)
    expect((await GET(new Request('http://stalewatch.test/api/ingest/aggregates'))).status).toBe(405)
    expect((await storedByLabels(p.id)).map((r) => r.requests)).toEqual([4])
  })
})
