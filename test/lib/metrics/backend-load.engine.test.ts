import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { aggregateIngestMetrics } from '@/ingest/aggregates/metrics'
import { ingestMetrics } from '@/ingest/edge/metrics'
import { ingestRuntime } from '@/ingest/events/runtime'
import { metricsText } from '@/lib/metrics/render'
import { registerRelease } from '@/lib/releases/release-store'
import { parseExposition, type ParsedFamily } from '../../support/prom-parser'
import { item, minuteOf, postAggregates, sendLoadAt, startStalewatchIngest } from '../../support/backend-load'
import { M, sendAll, Tab } from '../../support/known-answer-tabs'
import { testProject, useEngine } from '../../support/engine'

// Backend load in /api/metrics's text, as Prometheus parses it: the settled
// minute's figures by version (the numbers the dashboard and alerts read),
// and the aggregate endpoint's counters of accepted and refused items.

useEngine()

let ingest: Awaited<ReturnType<typeof startStalewatchIngest>>
beforeAll(async () => {
  ingest = await startStalewatchIngest()
})
afterAll(() => ingest.close())

const value = (f: ParsedFamily | undefined, labels: Record<string, string>) =>
  f?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === Object.keys(labels).length)?.value

describe('/api/metrics and backend load', () => {
  it('counts accepted, relabelled and refused aggregate items, and refused requests by code', async () => {
    const p = await testProject('metrics-counters')
    await registerRelease({ project: p.id, version: 'v1' })
    const before = { accepted: aggregateIngestMetrics().itemsAccepted, relabelled: aggregateIngestMetrics().itemsRelabelled }
    const answer = await postAggregates(ingest.aggregatesUrl, p.serverKey, {
      sentAt: Date.now(),
      items: [item({ version: 'v1' }), item({ version: 'never-seen' }), item({ count: -3 }), item({ minute: minuteOf(Date.now()) + 3_600_000 })],
    })
    expect(answer.json).toMatchObject({ accepted: 2, relabelled: 1 })
    expect((await postAggregates(ingest.aggregatesUrl, p.ingestKey, { sentAt: Date.now(), items: [item()] })).status).toBe(403)
    expect((await postAggregates(ingest.aggregatesUrl, null, { sentAt: Date.now(), items: [item()] })).status).toBe(401)

    const families = parseExposition(await metricsText(ingestMetrics(), ingestRuntime().buffer.stats(), Date.now(), aggregateIngestMetrics()))
    expect(value(families.get('stalewatch_ingest_aggregate_items_accepted_total'), {})).toBe(before.accepted + 2)
    expect(value(families.get('stalewatch_ingest_aggregate_items_relabelled_total'), {})).toBe(before.relabelled + 1)
    expect(value(families.get('stalewatch_ingest_aggregate_items_rejected_total'), { code: 'invalid_count' })).toBe(1)
    expect(value(families.get('stalewatch_ingest_aggregate_items_rejected_total'), { code: 'future_window' })).toBe(1)
    expect(value(families.get('stalewatch_ingest_aggregate_requests_refused_total'), { code: 'ingest_key_not_allowed' })).toBe(1)
    expect(value(families.get('stalewatch_ingest_aggregate_requests_refused_total'), { code: 'missing_key' })).toBe(1)
  })

  it('exposes requests, errors, reconnects and requests per tab by version for the settled minute', async () => {
    const T0 = Math.floor(Date.now() / M) * M - 30 * M
    const p = await testProject('metrics-load')
    await registerRelease({ project: p.id, version: 'v1', releasedAt: T0 - 120 * M })
    await registerRelease({ project: p.id, version: 'v2', releasedAt: T0 - 60 * M })
    await sendAll(p.ingestKey, [new Tab('v1').beat(T0 - 5 * M, T0 + 10 * M), new Tab('v1').beat(T0 - 5 * M, T0 + 10 * M), new Tab('v2').beat(T0 - 5 * M, T0 + 10 * M)], false)
    await sendLoadAt(p.serverKey, T0 + 5 * M + 70_000, [
      { minute: T0 + 5 * M, kind: 'http', version: 'v1', route: '/api/feed', status: '2xx', count: 100 },
      { minute: T0 + 5 * M, kind: 'http', version: 'v1', route: '/api/feed', status: '5xx', count: 20 },
      { minute: T0 + 5 * M, kind: 'ws_reconnect', version: 'v1', route: '/live', status: '1xx', count: 60 },
      { minute: T0 + 5 * M, kind: 'http', version: 'v2', route: '/api/feed', status: '2xx', count: 3 },
      { minute: T0 + 5 * M, kind: 'http', version: 'unknown', route: '/', status: '2xx', count: 6 },
    ])
    // At T0 + 6 min 30 s the settled minute is T0 + 5 min.
    const families = parseExposition(await metricsText(ingestMetrics(), ingestRuntime().buffer.stats(), T0 + 6.5 * M))
    const labels = (version: string) => ({ project: p.id, version })
    expect(value(families.get('stalewatch_backend_requests_per_second'), labels('v1'))).toBe(180 / 60)
    expect(value(families.get('stalewatch_backend_requests_per_second'), labels('unknown'))).toBe(6 / 60)
    expect(value(families.get('stalewatch_backend_server_errors_per_second'), labels('v1'))).toBe(20 / 60)
    expect(value(families.get('stalewatch_backend_reconnects_per_minute'), labels('v1'))).toBe(60)
    expect(value(families.get('stalewatch_backend_requests_per_tab'), labels('v1'))).toBe(90)
    expect(value(families.get('stalewatch_backend_requests_per_tab'), labels('v2'))).toBe(3)
    // No tab runs "unknown": no sample, rather than a made-up figure.
    expect(value(families.get('stalewatch_backend_requests_per_tab'), labels('unknown'))).toBeUndefined()
    expect(value(families.get('stalewatch_backend_stale_requests_per_second'), { project: p.id })).toBe(180 / 60)
    expect(families.get('stalewatch_backend_requests_per_second')?.type).toBe('gauge')
  })
})
