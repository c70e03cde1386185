import { describe, expect, it } from 'vitest'
import { handleIngest, type IngestDeps } from '@/ingest/events/pipeline'
import { IngestRateLimiter } from '@/ingest/edge/rate-limit'
import { ingestRuntime } from '@/ingest/events/runtime'
import { VersionCap } from '@/ingest/events/version-cap'
import { resetConfigCache } from '@/lib/config'
import { WIRE_LIMITS } from '@/sdk/src/wire'
import { createProject } from '@/lib/projects/project-store'
import { useEngine, testProject } from '../../support/engine'
import { envelope, heartbeat, uid } from '../../support/envelopes'
import { startIngestServer } from '../../support/ingest-server'
import { errorCode, everythingStored, ingestRequest, storedEvents } from '../../support/ingest-requests'

useEngine()

const deps = (): IngestDeps => ingestRuntime().deps

describe('request limits', () => {
  it('refuses a body over 64 KiB with 413 and stores nothing', async () => {
    const p = await testProject()
    const big = envelope(p.ingestKey, 'v1', [{ id: uid('evt'), type: 'error', ts: Date.now(), message: 'x'.repeat(400) }])
    const body = JSON.stringify({ ...big, padding: 'y'.repeat(WIRE_LIMITS.maxBodyBytes) })
    const result = await handleIngest(ingestRequest(body), deps())
    expect(result.status).toBe(413)
    expect(errorCode(result.body)).toBe('body_too_large')

    const server = await startIngestServer()
    try {
      const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body })
      expect(response.status).toBe(413)
      expect(errorCode(await response.json())).toBe('body_too_large')
    } finally {
      await server.close()
    }
    expect(await storedEvents(p.id)).toEqual([])
  })

  it('refuses more than 100 events per request, and accepts exactly 100', async () => {
    const p = await testProject()
    const now = Date.now()
    const tooMany = envelope(p.ingestKey, 'v1', Array.from({ length: WIRE_LIMITS.maxEvents + 1 }, () => heartbeat(now)))
    const refused = await handleIngest(ingestRequest(tooMany), deps())
    expect(refused.status).toBe(400)
    expect(errorCode(refused.body)).toBe('invalid_envelope')
    const exactly = envelope(p.ingestKey, 'v1', Array.from({ length: WIRE_LIMITS.maxEvents }, () => heartbeat(now)))
    const accepted = await handleIngest(ingestRequest(exactly), deps())
    expect(accepted.status).toBe(200)
    expect((accepted.body as { accepted: number }).accepted).toBe(100)
  })

  it('enforces field lengths: version 64, message 500, ids 8–64', async () => {
    const p = await testProject()
    const now = Date.now()
    const longVersion = await handleIngest(ingestRequest(envelope(p.ingestKey, 'v'.repeat(65), [heartbeat(now)])), deps())
    expect(longVersion.status).toBe(400)
    expect(errorCode(longVersion.body)).toBe('invalid_envelope')

    const events = [
      { id: uid('evt'), type: 'error' as const, ts: now, message: 'm'.repeat(WIRE_LIMITS.maxMessageLength + 1) },
      { id: 'short', type: 'heartbeat' as const, ts: now, visibility: 'visible' as const },
      { id: uid('evt'), type: 'error' as const, ts: now, message: 'm'.repeat(WIRE_LIMITS.maxMessageLength) },
    ]
    const result = await handleIngest(ingestRequest(envelope(p.ingestKey, 'v'.repeat(64), events)), deps())
    expect(result.status).toBe(200)
    const body = result.body as { accepted: number; rejected: { id: string | null; error: string }[] }
    expect(body.accepted).toBe(1)
    expect(body.rejected.map((r) => r.id)).toEqual([events[0]!.id, 'short'])
    expect(body.rejected[0]!.error).toMatch(/message/)
  })

  it('rejects, per event, times too far in the future or older than the retention', async () => {
    const p = await testProject()
    const now = Date.now()
    const retentionMs = deps().retentionDays * 24 * 3600 * 1000
    const future = heartbeat(now + deps().eventTimes.maxFutureSeconds * 1000 + 60_000)
    const ancient = heartbeat(now - retentionMs - 60_000)
    const fine = heartbeat(now - 1000)
    const result = await handleIngest(ingestRequest(envelope(p.ingestKey, 'v1', [future, ancient, fine], { sentAt: now }), { receivedAt: now }), deps())
    expect(result.status).toBe(200)
    const body = result.body as { accepted: number; rejected: { id: string; code: string; error: string }[] }
    expect(body.accepted).toBe(1)
    expect(body.rejected).toEqual([
      { id: future.id, code: 'event_in_future', error: expect.stringMatching(/after sentAt/) },
      { id: ancient.id, code: 'event_too_old', error: expect.stringMatching(/retention/) },
    ])
    expect((await storedEvents(p.id)).map((e) => e.event_id)).toEqual([fine.id])
  })
})

describe('rate limits', () => {
  it('answers 429 with Retry-After per key, and other keys go on', async () => {
    const [a, b] = [await testProject(), await testProject()]
    const limited: IngestDeps = {
      ...deps(),
      rateLimiter: new IngestRateLimiter({ perKey: { perSecond: 0.001, burst: 3 }, perAddress: { perSecond: 0, burst: 1 }, exemptLoopback: false }),
    }
    const statuses: number[] = []
    let last: Awaited<ReturnType<typeof handleIngest>> | undefined
    for (let i = 0; i < 5; i++) {
      last = await handleIngest(ingestRequest(envelope(a.ingestKey, 'v1', [heartbeat(Date.now())])), limited)
      statuses.push(last.status)
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429])
    expect(errorCode(last!.body)).toBe('rate_limited')
    expect(Number(last!.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    const other = await handleIngest(ingestRequest(envelope(b.ingestKey, 'v1', [heartbeat(Date.now())])), limited)
    expect(other.status).toBe(200)
  })

  it('limits per client address over HTTP, from X-Forwarded-For only with STALEWATCH_TRUST_PROXY=1', async () => {
    const p = await testProject()
    const limited: IngestDeps = {
      ...deps(),
      rateLimiter: new IngestRateLimiter({ perKey: { perSecond: 0, burst: 1 }, perAddress: { perSecond: 0.001, burst: 2 }, exemptLoopback: false }),
    }
    const server = await startIngestServer(limited)
    const send = (forwardedFor: string) =>
      fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'x-forwarded-for': forwardedFor },
        body: JSON.stringify(envelope(p.ingestKey, 'v1', [heartbeat(Date.now())])),
      })
    try {
      // A refill of one token per 1000 s: nothing refills during the test.
      // Without trust, every request is the loopback peer, whatever it claims.
      delete process.env.STALEWATCH_TRUST_PROXY
      resetConfigCache()
      const untrusted = [await send('203.0.113.1'), await send('203.0.113.2'), await send('203.0.113.3')]
      expect(untrusted.map((r) => r.status)).toEqual([200, 200, 429])
      expect(untrusted[2]!.headers.get('retry-after')).toMatch(/^\d+$/)
      expect(errorCode(await untrusted[2]!.json())).toBe('rate_limited')

      process.env.STALEWATCH_TRUST_PROXY = '1'
      resetConfigCache()
      const trusted = [await send('198.51.100.7'), await send('198.51.100.7'), await send('198.51.100.7'), await send('198.51.100.8')]
      expect(trusted.map((r) => r.status)).toEqual([200, 200, 429, 200])
    } finally {
      delete process.env.STALEWATCH_TRUST_PROXY
      resetConfigCache()
      await server.close()
    }
  })
})

describe('distinct versions cap', () => {
  const HOUR = 3600_000
  const options = (maxVersions: number, burst = 1000) => ({ maxVersions, newVersions: { perSecond: 0.001, burst }, forgetAfterMs: 24 * HOUR })
  const noReleases = async () => new Set<string>()

  it('refuses events of a new version once the project has the maximum, and keeps known versions flowing', async () => {
    const p = await testProject()
    const cap = new VersionCap(options(3), { seen: async () => new Map(), registered: noReleases })
    const capped: IngestDeps = { ...deps(), admitVersion: (projectId, version) => cap.admit(projectId, version) }
    const send = (version: string) => handleIngest(ingestRequest(envelope(p.ingestKey, version, [heartbeat(Date.now())])), capped)
    for (const v of ['v1', 'v2', 'v3']) expect((await send(v)).status).toBe(200)
    const fourth = await send('v4')
    expect(fourth.status).toBe(422)
    expect(errorCode(fourth.body)).toBe('too_many_versions')
    expect((await send('v2')).status).toBe(200)
    expect(new Set((await storedEvents(p.id)).map((e) => e.version))).toEqual(new Set(['v1', 'v2', 'v3']))
  })

  it('counts the versions already stored for the project', async () => {
    const p = await testProject()
    for (const v of ['a1', 'a2']) expect((await handleIngest(ingestRequest(envelope(p.ingestKey, v, [heartbeat(Date.now())])), deps())).status).toBe(200)
    const { versionSeen } = await import('@/lib/releases/versions-seen')
    const cap = new VersionCap(options(2), { seen: async (id) => new Map((await versionSeen({ projectId: id })).map((v) => [v.version, v])), registered: noReleases })
    expect(await cap.admit(p.id, 'a1')).toEqual({ ok: true })
    expect(await cap.admit(p.id, 'a3')).toEqual({ ok: false, reason: 'version_cap' })
  })

  it('always admits a registered release, and does not count releases against the cap', async () => {
    const releases = new Set(['r1', 'r2'])
    const seen = new Map([['r1', { firstSeen: 0, lastSeen: Date.now() }], ['junk1', { firstSeen: 0, lastSeen: Date.now() }]])
    const cap = new VersionCap(options(1), { seen: async () => seen, registered: async () => releases })
    expect(await cap.admit('p', 'junk2')).toEqual({ ok: false, reason: 'version_cap' })
    expect(await cap.admit('p', 'r2')).toEqual({ ok: true })
    releases.add('r3')
    expect(await cap.admit('p', 'r3')).toEqual({ ok: true })
  })

  it('ages out versions seen only briefly and long gone; a version that ran for a while keeps counting', async () => {
    let now = 100 * 24 * HOUR
    const seen = new Map([
      // A flood's junk: one minute of events, two days ago.
      ['junk', { firstSeen: now - 48 * HOUR, lastSeen: now - 48 * HOUR + 60_000 }],
      // A real build: ran for a week, gone for two days.
      ['old-build', { firstSeen: now - 9 * 24 * HOUR, lastSeen: now - 48 * HOUR }],
      // Brief but recent: still counts.
      ['fresh', { firstSeen: now - 10 * 60_000, lastSeen: now - 5 * 60_000 }],
    ])
    const cap = new VersionCap(options(3), { seen: async () => seen, registered: noReleases }, () => now)
    // junk no longer counts: old-build and fresh leave room for one.
    expect(await cap.admit('p', 'new1')).toEqual({ ok: true })
    expect(await cap.admit('p', 'new2')).toEqual({ ok: false, reason: 'version_cap' })
    // A day later fresh is gone too (brief, and not seen for 24 h).
    now += 25 * HOUR
    expect(await cap.admit('p', 'new2')).toEqual({ ok: true })
    // Known versions pass whatever they count.
    expect(await cap.admit('p', 'junk')).toEqual({ ok: true })
  })

  it('limits new unregistered versions per project with a 429 and Retry-After', async () => {
    const p = await testProject()
    const cap = new VersionCap(options(1000, 2), { seen: async () => new Map(), registered: async () => new Set(['release-1']) })
    const limited: IngestDeps = { ...deps(), admitVersion: (projectId, version) => cap.admit(projectId, version) }
    const send = (version: string) => handleIngest(ingestRequest(envelope(p.ingestKey, version, [heartbeat(Date.now())])), limited)
    expect((await send('n1')).status).toBe(200)
    expect((await send('n2')).status).toBe(200)
    const third = await send('n3')
    expect(third.status).toBe(429)
    expect(errorCode(third.body)).toBe('new_versions_rate_limited')
    expect(Number(third.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    // Known versions and releases are not held back.
    expect((await send('n1')).status).toBe(200)
    expect((await send('release-1')).status).toBe(200)
  })
})

describe('origin allowlist', () => {
  it('accepts listed origins and requests without Origin, refuses other origins with 403', async () => {
    const created = await createProject({ name: 'allowlisted', allowedOrigins: ['https://app.example.com'] })
    const send = (origin: string | null) =>
      handleIngest(ingestRequest(envelope(created.ingestKey, 'v1', [heartbeat(Date.now())]), { origin }), deps())
    expect((await send('https://app.example.com')).status).toBe(200)
    expect((await send(null)).status).toBe(200)
    const other = await send('https://evil.example.net')
    expect(other.status).toBe(403)
    expect(errorCode(other.body)).toBe('origin_not_allowed')
    expect((await send('null')).status).toBe(403)
  })

  it('can be changed by the admin later, and takes effect at once', async () => {
    const p = await testProject()
    const { PUT, GET } = await import('@/app/api/projects/[id]/allowed-origins/route')
    const { adminToken } = await import('@/lib/auth/admin-token')
    const call = (handler: typeof PUT, body?: unknown, bearer = adminToken()) =>
      handler(
        new Request(`http://dash.test/api/projects/${p.id}/allowed-origins`, {
          method: body === undefined ? 'GET' : 'PUT',
          headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
        { params: Promise.resolve({ id: p.id }) },
      )
    expect((await call(PUT, { allowedOrigins: ['https://shop.example'] }, p.ingestKey)).status).toBe(401)
    expect((await call(PUT, { allowedOrigins: ['not an origin'] })).status).toBe(400)
    expect((await call(PUT, { allowedOrigins: ['https://shop.example'] })).status).toBe(200)
    expect(await (await call(GET)).json()).toEqual({ project: p.id, allowedOrigins: ['https://shop.example'] })
    const send = (origin: string) => handleIngest(ingestRequest(envelope(p.ingestKey, 'v1', [heartbeat(Date.now())]), { origin }), deps())
    expect((await send('https://other.example')).status).toBe(403)
    expect((await send('https://shop.example')).status).toBe(200)
  })

  it('refuses an allowlist entry that is not a bare origin', async () => {
    const { newProjectSchema } = await import('@/lib/projects/project-store')
    expect(newProjectSchema.safeParse({ name: 'x', allowedOrigins: ['https://app.example.com/path'] }).success).toBe(false)
    expect(newProjectSchema.safeParse({ name: 'x', allowedOrigins: ['https://app.example.com:8443'] }).success).toBe(true)
  })
})

describe('privacy', () => {
  it('stores the browser family and major version, and never the address or the raw user agent', async () => {
    const p = await testProject()
    const ua = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.85 Safari/537.36'
    const server = await startIngestServer()
    try {
      process.env.STALEWATCH_TRUST_PROXY = '1'
      resetConfigCache()
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'user-agent': ua, 'x-forwarded-for': '203.0.113.99' },
        body: JSON.stringify(envelope(p.ingestKey, 'v1', [heartbeat(Date.now())])),
      })
      expect(response.status).toBe(200)
    } finally {
      delete process.env.STALEWATCH_TRUST_PROXY
      resetConfigCache()
      await server.close()
    }
    const [row] = await storedEvents(p.id)
    expect(row).toMatchObject({ browser: 'Chrome', browser_major: 131 })
    const everything = await everythingStored(p.id)
    expect(everything).not.toContain('203.0.113.99')
    expect(everything).not.toContain('127.0.0.1')
    expect(everything).not.toContain('6778')
    expect(everything).not.toContain('Linux')
  })
})
