import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAlertEvaluator, type AlertEvaluator } from '@/lib/alerts'
import { createRule } from '@/lib/alerts/rule-store'
import { newRuleSchema, type AlertRule } from '@/lib/alerts/rule-schema'
import { verifySignature } from '@/lib/alerts/sign'
import { listTransitions } from '@/lib/alerts/transition-store'
import { registerRelease } from '@/lib/releases/release-store'
import { useEngine, testProject } from '../../support/engine'
import { startIngestServer } from '../../support/ingest-server'
import { envelope, heartbeat, post, uid } from '../../support/envelopes'
import { startReceiver, type Receiver } from '../../support/webhook-receiver'

// A stale-share rule (above 20 % for 5 min, 10 min grace after the latest
// release) over traffic with a known answer: 3 of 10 live sessions stay on the
// old release v1 until T0+25 min, v2 is released at T0. The evaluator's clock
// is driven by the test; events are real, ingested over HTTP into the engine.

// The receiver is on loopback, which webhooks may reach only when an operator allows it.
process.env.STALEWATCH_WEBHOOK_ALLOWED_NETWORKS = '127.0.0.1/32'

useEngine()

const MIN = 60_000
// Far enough in the past that every event of the scenario is already "sent".
const T0 = Math.floor((Date.now() - 3 * 3600_000) / MIN) * MIN

let ingest: { url: string; close: () => Promise<void> }
let receiver: Receiver
let rule: AlertRule
let clock = T0
const evaluators: AlertEvaluator[] = []

function evaluator(): AlertEvaluator {
  const e = createAlertEvaluator({ now: () => clock, baseUrl: 'https://sw.example' })
  evaluators.push(e)
  return e
}

async function session(key: string, version: string, fromMin: number, toMin: number): Promise<void> {
  const events = []
  for (let m = fromMin; m <= toMin; m++) events.push(heartbeat(T0 + m * MIN, 'visible'))
  const res = await post(ingest.url, envelope(key, version, events, { session: uid('sess'), sentAt: Date.now() }))
  expect(res.status).toBe(200)
  expect((res.json as { accepted: number }).accepted).toBe(events.length)
}

beforeAll(async () => {
  ingest = await startIngestServer()
  receiver = await startReceiver()
  receiver.failFirst('/flaky', 3)
  const project = await testProject('alerts')
  await registerRelease({ project: project.id, version: 'v1', releasedAt: T0 - 120 * MIN })
  await registerRelease({ project: project.id, version: 'v2', releasedAt: T0 })
  await Promise.all([
    ...Array.from({ length: 7 }, () => session(project.ingestKey, 'v2', 0, 45)),
    ...Array.from({ length: 3 }, () => session(project.ingestKey, 'v1', -5, 25)),
  ])
  rule = await createRule(
    newRuleSchema.parse({
      project: project.id,
      name: 'Old clients linger',
      condition: { kind: 'stale_share', thresholdPercent: 20, forMinutes: 5, graceMinutes: 10, resolveMargin: 0.1, resolveAfter: 2 },
      destinations: [
        { kind: 'webhook', url: `${receiver.url}/good`, secret: 'good-secret-0123456789' },
        { kind: 'slack', url: `${receiver.url}/flaky`, secret: 'flaky-secret-0123456789' },
      ],
    }),
  )
})

afterAll(async () => {
  for (const e of evaluators) await e.stop()
  await ingest?.close()
  await receiver?.close()
})

async function tickAt(e: AlertEvaluator, minutes: number) {
  clock = T0 + minutes * MIN
  return e.tick()
}

const kinds = async () => (await listTransitions({ projectId: rule.projectId })).map((t) => t.kind).reverse()

describe('alert evaluation over the real engine and a real receiver', () => {
  it('honours the grace period after a new release, fires only after D minutes, and notifies once per transition across a restart', async () => {
    const first = evaluator()

    // 30 % stale from the start, but within 10 min of the v2 release: quiet.
    for (const m of [0.5, 5, 9.5]) {
      const r = await tickAt(first, m)
      expect(r.errors).toEqual([])
      expect(r.transitions).toEqual([])
    }

    // Grace over: pending from T0+10, and not firing for 5 minutes.
    expect((await tickAt(first, 10)).transitions.map((t) => t.kind)).toEqual(['pending'])
    for (let m = 10.5; m < 15; m += 0.5) expect((await tickAt(first, m)).transitions).toEqual([])
    expect(receiver.received).toEqual([])

    const firing = await tickAt(first, 15)
    expect(firing.transitions.map((t) => t.kind)).toEqual(['firing'])
    expect(firing.transitions[0]!.value).toBeCloseTo(30, 5)

    // The webhook: one signed message that says what fired, the value, the threshold and where to look.
    const good = receiver.to('/good')
    expect(good).toHaveLength(1)
    expect(verifySignature('good-secret-0123456789', good[0]!.body, good[0]!.headers['x-stalewatch-signature'] as string)).toBe(true)
    expect(verifySignature('another-secret-0123456789', good[0]!.body, good[0]!.headers['x-stalewatch-signature'] as string)).toBe(false)
    const body = JSON.parse(good[0]!.body)
    expect(body).toMatchObject({ type: 'alert.firing', state: 'firing', project: rule.projectId, threshold: 20, since: T0 + 10 * MIN, at: T0 + 15 * MIN })
    expect(body.rule).toMatchObject({ id: rule.id, name: 'Old clients linger', kind: 'stale_share' })
    expect(body.value).toBeCloseTo(30, 5)
    expect(String(body.sentAt)).toBe(good[0]!.headers['x-stalewatch-timestamp'])
    expect(body.links.explorer).toBe(`https://sw.example/explorer?project=${rule.projectId}&from=${T0 - 5 * MIN}&to=${T0 + 30 * MIN}`)

    // The Slack destination answers 503 three times: retried with backoff, across the restart.
    expect(receiver.to('/flaky')).toHaveLength(1)
    await tickAt(first, 15.5)
    expect(receiver.to('/flaky')).toHaveLength(2)
    await first.stop()

    // A restart: a new evaluator over the same engine.
    const second = evaluator()
    await tickAt(second, 16)
    expect(receiver.to('/flaky')).toHaveLength(3)
    for (const m of [16.5, 17]) expect((await tickAt(second, m)).transitions).toEqual([])
    expect(receiver.to('/flaky')).toHaveLength(3) // backing off
    await tickAt(second, 17.5)
    const flaky = receiver.to('/flaky')
    expect(flaky).toHaveLength(4)
    for (const r of flaky) {
      expect(verifySignature('flaky-secret-0123456789', r.body, r.headers['x-stalewatch-signature'] as string)).toBe(true)
      expect(r.headers['x-stalewatch-delivery']).toBe(`${rule.id}:2`)
    }
    const slack = JSON.parse(flaky[3]!.body)
    expect(slack.text).toContain('[FIRING] Old clients linger')
    expect(slack.text).toContain('threshold: 20')
    expect(slack.text).toContain('/explorer?project=')
    expect(receiver.to('/good')).toHaveLength(1)

    // Old clients leave at T0+25 (live until T0+28): resolves after two clear evaluations.
    for (const m of [20, 25, 28]) expect((await tickAt(second, m)).transitions).toEqual([])
    expect((await tickAt(second, 28.5)).transitions).toEqual([])
    expect((await tickAt(second, 29)).transitions.map((t) => t.kind)).toEqual(['resolved'])
    await tickAt(second, 29.5)

    // Third process: nothing repeats.
    const third = evaluator()
    await tickAt(third, 30)
    await tickAt(third, 30.5)

    const goodBodies = receiver.to('/good').map((r) => JSON.parse(r.body))
    expect(goodBodies.map((b) => b.type)).toEqual(['alert.firing', 'alert.resolved'])
    expect(goodBodies[1].value).toBe(0)
    expect(receiver.to('/flaky').map((r) => JSON.parse(r.body).text.split(' ')[1])).toEqual(['*[FIRING]', '*[FIRING]', '*[FIRING]', '*[FIRING]', '*[RESOLVED]'])
    expect(await kinds()).toEqual(['pending', 'firing', 'resolved'])
  })
})
