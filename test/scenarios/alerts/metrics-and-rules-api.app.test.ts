import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminFetch, startApp, type RunningApp } from '../../support/app-server'
import { envelope, heartbeat, post, uid } from '../../support/envelopes'
import { issueSessionValue, SESSION_COOKIE } from '@/lib/auth/session-cookie'
import { verifySignature } from '@/lib/alerts/sign'
import { parseExposition, type ParsedFamily } from '../../support/prom-parser'
import { startReceiver, type Receiver } from '../../support/webhook-receiver'

// The whole app as a child process: /api/metrics parsed as Prometheus would,
// checked against /api/stats/live at the same instant; the alert rule API and
// page over HTTP.

const METRICS_TOKEN = `swm_test_${uid('m')}`
const ADMIN_TOKEN = `swa_test_${uid('a')}_0123456789`
let app: RunningApp
let receiver: Receiver
let project: { id: string; ingestKey: string }

beforeAll(async () => {
  // The receiver is on loopback, which webhooks may reach only when allowed.
  app = await startApp({ STALEWATCH_METRICS_TOKEN: METRICS_TOKEN, STALEWATCH_ADMIN_TOKEN: ADMIN_TOKEN, STALEWATCH_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32' })
  receiver = await startReceiver()
  const created = await adminFetch(app, '/api/projects', { method: 'POST', body: JSON.stringify({ name: 'metrics' }) })
  expect(created.status).toBe(201)
  project = (await created.json()) as typeof project
})

afterAll(async () => {
  await app?.stop()
  await receiver?.close()
})

const sampleValue = (f: ParsedFamily | undefined, labels: Record<string, string>) =>
  f?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === Object.keys(labels).length)?.value

describe('/api/metrics', () => {
  it('is valid exposition text whose live figures equal /api/stats/live', async () => {
    const now = Date.now()
    for (const [version, releasedAt] of [['v1', now - 7200_000], ['v2', now - 3600_000]] as const) {
      const r = await adminFetch(app, '/api/releases', { method: 'POST', body: JSON.stringify({ project: project.id, version, releasedAt }) })
      expect(r.status).toBe(201)
    }
    // 3 visible on v2, 2 hidden + 1 visible on v1 (stale), a session that moved v1 → v2 counts once under v2.
    const plan: [string, 'visible' | 'hidden'][] = [['v2', 'visible'], ['v2', 'visible'], ['v2', 'visible'], ['v1', 'hidden'], ['v1', 'hidden'], ['v1', 'visible']]
    let sent = 0
    for (const [version, visibility] of plan) {
      const r = await post(`${app.url}/api/ingest`, envelope(project.ingestKey, version, [heartbeat(now - 20_000, visibility), heartbeat(now - 10_000, visibility)]))
      expect(r.status).toBe(200)
      sent += 2
    }
    const moved = uid('sess')
    expect((await post(`${app.url}/api/ingest`, envelope(project.ingestKey, 'v1', [heartbeat(now - 30_000)], { session: moved }))).status).toBe(200)
    expect((await post(`${app.url}/api/ingest`, envelope(project.ingestKey, 'v2', [heartbeat(now - 5_000)], { session: moved }))).status).toBe(200)
    sent += 2

    const at = Date.now()
    const live = (await (await adminFetch(app, `/api/stats/live?project=${project.id}&at=${at}`)).json()) as {
      total: number
      versions: { version: string; sessions: number; visible: number; hidden: number }[]
    }
    expect(live.total).toBe(7)

    expect((await fetch(`${app.url}/api/metrics`)).status).toBe(401)
    expect((await fetch(`${app.url}/api/metrics?at=${at}`, { headers: { authorization: `Bearer wrong-${METRICS_TOKEN}` } })).status).toBe(401)
    expect((await fetch(`${app.url}/api/metrics?at=yesterday`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(400)
    const response = await fetch(`${app.url}/api/metrics?at=${at}`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4')
    const families = parseExposition(await response.text())

    const sessions = families.get('stalewatch_live_sessions')
    expect(sessions?.type).toBe('gauge')
    for (const v of live.versions) {
      expect(sampleValue(sessions, { project: project.id, version: v.version, visibility: 'visible' })).toBe(v.visible)
      expect(sampleValue(sessions, { project: project.id, version: v.version, visibility: 'hidden' })).toBe(v.hidden)
    }
    const ours = sessions!.samples.filter((s) => s.labels.project === project.id)
    expect(ours.reduce((sum, s) => sum + s.value, 0)).toBe(live.total)
    expect(sampleValue(families.get('stalewatch_project_live_sessions'), { project: project.id })).toBe(live.total)
    const staleSessions = live.versions.filter((v) => v.version === 'v1').reduce((sum, v) => sum + v.sessions, 0)
    expect(sampleValue(families.get('stalewatch_stale_share'), { project: project.id })).toBeCloseTo(staleSessions / live.total, 12)

    expect(families.get('stalewatch_ingest_inserted_rows_total')!.samples[0]!.value).toBeGreaterThanOrEqual(sent)
    expect(families.get('stalewatch_ingest_quarantined_segments_total')!.samples[0]!.value).toBe(0)
    expect(families.get('stalewatch_ingest_inserts_total')!.samples[0]!.value).toBeGreaterThanOrEqual(1)
    const flush = families.get('stalewatch_ingest_flush_seconds')!
    expect(flush.type).toBe('histogram')
    expect(sampleValue(flush, { le: '+Inf' })).toBeGreaterThanOrEqual(1)
    expect(families.get('stalewatch_ingest_buffer_capacity_rows')!.samples[0]!.value).toBeGreaterThan(0)
    // Bytes are bounded, and exported, only with the ingest log (the tests default to acknowledging once stored).
    expect(families.has('stalewatch_ingest_buffer_capacity_bytes')).toBe(process.env.STALEWATCH_INGEST_ACK === 'logged')
    expect(families.get('stalewatch_ingest_events_accepted_total')?.type).toBe('counter')
  })
})

describe('alert rules over HTTP', () => {
  it('rejects a bad rule with a 400 naming the field, creates, lists, tests and deletes one', async () => {
    const bad = await adminFetch(app, '/api/alerts/rules', {
      method: 'POST',
      body: JSON.stringify({ project: project.id, name: 'x', condition: { kind: 'stale_share', thresholdPercent: 150 }, destinations: [{ kind: 'webhook', url: `${receiver.url}/hook` }] }),
    })
    expect(bad.status).toBe(400)
    const error = ((await bad.json()) as { error: { code: string; message: string } }).error
    expect(error.code).toBe('invalid_request')
    expect(error.message).toContain('condition.thresholdPercent')
    const noDest = await adminFetch(app, '/api/alerts/rules', {
      method: 'POST',
      body: JSON.stringify({ project: project.id, name: 'x', condition: { kind: 'ingest_silence', silentMinutes: 5 }, destinations: [{ kind: 'pager', url: 'ftp://x' }] }),
    })
    expect(noDest.status).toBe(400)
    expect(((await noDest.json()) as { error: { message: string } }).error.message).toContain('destinations.0')
    expect((await fetch(`${app.url}/api/alerts/rules`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(401)

    const created = await adminFetch(app, '/api/alerts/rules', {
      method: 'POST',
      body: JSON.stringify({ project: project.id, name: 'Reload storm', condition: { kind: 'event_rate', event: 'reload', baselineFactor: 5 }, destinations: [{ kind: 'webhook', url: `${receiver.url}/hook` }] }),
    })
    expect(created.status).toBe(201)
    const rule = (await created.json()) as { id: string; destinations: { secret: string }[] }
    const secret = rule.destinations[0]!.secret
    expect(secret.length).toBeGreaterThanOrEqual(16)

    const listed = (await (await adminFetch(app, `/api/alerts/rules?project=${project.id}`)).json()) as { rules: { id: string; state: { state: string }; destinations: object[] }[] }
    expect(listed.rules.map((r) => r.id)).toEqual([rule.id])
    expect(listed.rules[0]!.state.state).toBe('ok')
    expect(JSON.stringify(listed)).not.toContain(secret)

    const tested = await adminFetch(app, `/api/alerts/rules/${rule.id}/test`, { method: 'POST' })
    expect(tested.status).toBe(200)
    expect(((await tested.json()) as { ok: boolean }).ok).toBe(true)
    const hook = receiver.to('/hook')
    expect(hook).toHaveLength(1)
    expect(verifySignature(secret, hook[0]!.body, hook[0]!.headers['x-stalewatch-signature'] as string)).toBe(true)
    expect(JSON.parse(hook[0]!.body)).toMatchObject({ type: 'alert.test', project: project.id, rule: { id: rule.id, name: 'Reload storm' } })

    // The page, behind the dashboard session.
    process.env.STALEWATCH_ADMIN_TOKEN = ADMIN_TOKEN
    expect((await fetch(`${app.url}/alerts`, { redirect: 'manual' })).status).toBeGreaterThanOrEqual(300)
    const page = await fetch(`${app.url}/alerts?project=${project.id}`, { headers: { cookie: `${SESSION_COOKIE}=${issueSessionValue()}` } })
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('Reload storm')

    expect((await adminFetch(app, '/api/alerts/history?limit=0')).status).toBe(400)
    expect((await adminFetch(app, `/api/alerts/history?project=${project.id}`)).status).toBe(200)

    expect((await adminFetch(app, `/api/alerts/rules/${rule.id}`, { method: 'DELETE' })).status).toBe(200)
    expect((await adminFetch(app, `/api/alerts/rules/${rule.id}`, { method: 'DELETE' })).status).toBe(404)
    const after = (await (await adminFetch(app, `/api/alerts/rules?project=${project.id}`)).json()) as { rules: object[] }
    expect(after.rules).toEqual([])
  })
})
