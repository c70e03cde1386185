import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAlertEvaluator, type AlertEvaluator } from '@/lib/alerts'
import { measure } from '@/lib/alerts/measure'
import { measureContext } from '@/lib/alerts/measure-context'
import { createRule } from '@/lib/alerts/rule-store'
import { conditionSchema, newRuleSchema, type AlertRule } from '@/lib/alerts/rule-schema'
import { listTransitions } from '@/lib/alerts/transition-store'
import type { AggregateItem } from '@/sdk/src/server/wire'
import { registerRelease } from '@/lib/releases/release-store'
import { M, sendAll, Tab } from '../../support/known-answer-tabs'
import { sendLoadAt } from '../../support/backend-load'
import { testProject, useEngine } from '../../support/engine'
import { startReceiver, type Receiver } from '../../support/webhook-receiver'

// The backend-load rule kinds over crafted counts with a known answer, in
// the real engine, with the evaluator's clock driven by the test. Two
// projects, each with 10 tabs on the latest release v2 and 5 on the stale
// v1. In the first, one request a tab a minute, until v1 polls twelve times
// as hard from T0 + 10 to T0 + 20 min. In the second, v1's sockets reconnect
// twice a minute until a storm of 300 a minute at T0 + 30 and 31 min.

process.env.STALEWATCH_WEBHOOK_ALLOWED_NETWORKS = '127.0.0.1/32'

useEngine()

const T0 = Math.floor((Date.now() - 3 * 3600_000) / M) * M
let projectId: string
let stormProjectId: string
let receiver: Receiver
let clock = T0
const evaluators: AlertEvaluator[] = []

const polling = (m: number): AggregateItem[] => [
  { minute: T0 + m * M, kind: 'http', version: 'v2', route: '/api/feed', status: '2xx', count: 10 },
  { minute: T0 + m * M, kind: 'http', version: 'v1', route: '/api/feed', status: '2xx', count: m >= 10 && m < 20 ? 60 : 5 },
]
const reconnects = (m: number): AggregateItem[] => [{ minute: T0 + m * M, kind: 'ws_reconnect', version: 'v1', route: '/live', status: '1xx', count: m === 30 || m === 31 ? 300 : 2 }]

async function projectWith(name: string, counts: (m: number) => AggregateItem[]): Promise<string> {
  const project = await testProject(name)
  await registerRelease({ project: project.id, version: 'v1', releasedAt: T0 - 180 * M })
  await registerRelease({ project: project.id, version: 'v2', releasedAt: T0 - 120 * M })
  await sendAll(
    project.ingestKey,
    [...Array.from({ length: 10 }, () => new Tab('v2').beat(T0 - 70 * M, T0 + 45 * M)), ...Array.from({ length: 5 }, () => new Tab('v1').beat(T0 - 70 * M, T0 + 45 * M))],
    false,
  )
  for (let m = -65; m < 45; m++) await sendLoadAt(project.serverKey, T0 + m * M + 70_000, counts(m))
  return project.id
}

beforeAll(async () => {
  receiver = await startReceiver()
  ;[projectId, stormProjectId] = await Promise.all([projectWith('backend-alerts', polling), projectWith('backend-storm', reconnects)])
})

afterAll(async () => {
  for (const e of evaluators) await e.stop()
  await receiver?.close()
})

async function rule(name: string, condition: unknown, path: string, project = projectId): Promise<AlertRule> {
  return createRule(newRuleSchema.parse({ project, name, condition, destinations: [{ kind: 'webhook', url: `${receiver.url}${path}`, secret: 'backend-secret-0123456789' }] }))
}

async function measureAt(minutes: number, condition: unknown, project = projectId) {
  return measure(project, conditionSchema.parse(condition), measureContext(T0 + minutes * M, async () => 180))
}

const kindsOf = async (r: AlertRule) => (await listTransitions({ projectId: r.projectId })).filter((t) => t.ruleId === r.id).map((t) => t.kind).reverse()

describe('backend-load alert rules', () => {
  it('judge the latest minute whose counts have all arrived, with values a person can check', async () => {
    // At T0 + 12 min 15 s that is the minute from T0 + 11 min: v1 sent 60 requests, 1 a second.
    const stale = await measureAt(12.25, { kind: 'stale_requests', perSecondAbove: 0.5 })
    expect(stale).toMatchObject({ value: 1, threshold: 0.5, breaching: true })
    expect(stale.summary).toContain('older than v2: 1/s')
    expect(stale.summary).toContain('v1 1/s')
    // Within the grace after v2 nothing applies.
    expect(await measureAt(12.25, { kind: 'stale_requests', perSecondAbove: 0.5, graceMinutes: 180 })).toMatchObject({ breaching: false, clear: true })

    // Minutes 8–12: v1's 5 + 5 + 60 + 60 + 60 requests over 25 tab-minutes, against v2's 1 a tab.
    const perTab = await measureAt(13.25, { kind: 'requests_per_tab', factor: 5, minTabs: 3 })
    expect(perTab.value).toBeCloseTo(190 / 25, 12)
    expect(perTab).toMatchObject({ threshold: 5, breaching: true })
    expect(perTab.summary).toContain("v1: 7.60 requests per tab per minute, 7.60× the latest v2's 1")
    expect(await measureAt(13.25, { kind: 'requests_per_tab', factor: 5, minTabs: 6 })).toMatchObject({ value: null, breaching: false })

    const storm = await measureAt(31.25, { kind: 'reconnect_storm', baselineFactor: 5, baselineMinutes: 30 }, stormProjectId)
    expect(storm).toMatchObject({ value: 300, threshold: 50, breaching: true, clear: false })
    expect(storm.summary).toContain('Socket reconnects from v1: 300 in the minute')
    // 20 s into the storm's first minute, long before it settles, its counts so far are above the threshold already.
    const early = await measureAt(30 + 20 / 60, { kind: 'reconnect_storm', baselineFactor: 5, baselineMinutes: 30 }, stormProjectId)
    expect(early).toMatchObject({ value: 300, threshold: 50, breaching: true })
    expect(early.summary).toContain('(counts so far)')
    expect(await measureAt(31.25, { kind: 'reconnect_storm', perMinuteAbove: 400 }, stormProjectId)).toMatchObject({ value: 300, breaching: false })
    expect(await measureAt(31.25, { kind: 'reconnect_storm', version: 'v2', perMinuteAbove: 10 }, stormProjectId)).toMatchObject({ value: 0, breaching: false })
    // The storm's reconnects are requests too: 300 from v1 in that minute.
    expect(await measureAt(31.25, { kind: 'stale_requests', perSecondAbove: 4.5 }, stormProjectId)).toMatchObject({ value: 5, breaching: true })
  })

  it('fire and resolve through the evaluator, and notify', async () => {
    const staleRule = await rule('Old builds hammer the API', { kind: 'stale_requests', perSecondAbove: 0.5, forMinutes: 2 }, '/stale')
    const perTabRule = await rule('One build polls too often', { kind: 'requests_per_tab', factor: 5, minTabs: 3, forMinutes: 0 }, '/tab')
    const stormRule = await rule('Reconnect storm', { kind: 'reconnect_storm', baselineFactor: 5, baselineMinutes: 30 }, '/storm', stormProjectId)
    const evaluator = createAlertEvaluator({ now: () => clock, baseUrl: 'https://sw.example' })
    evaluators.push(evaluator)
    const tick = async (minutes: number) => {
      clock = T0 + minutes * M
      const result = await evaluator.tick()
      expect(result.errors).toEqual([])
      return result.transitions.map((t) => `${t.ruleName}: ${t.kind}`)
    }

    expect(await tick(5.25)).toEqual([])
    // The minute from T0 + 10 min is the first of the hard polling.
    expect(await tick(11.25)).toEqual(['Old builds hammer the API: pending'])
    // Minutes 7–11: v1's 135 requests over 25 tab-minutes, 5.4 times v2's.
    expect(await tick(12.25)).toEqual(['One build polls too often: pending', 'One build polls too often: firing'])
    expect(await tick(13.25)).toEqual(['Old builds hammer the API: firing'])
    // Polling calms down from T0 + 20 min: two clear evaluations resolve the stale-requests rule.
    expect(await tick(21.25)).toEqual([])
    expect(await tick(21.75)).toEqual(['Old builds hammer the API: resolved'])
    // Its window of 5 minutes holds hard polling until T0 + 24 min.
    expect(await tick(25.25)).toEqual([])
    expect(await tick(25.75)).toEqual(['One build polls too often: resolved'])
    // The storm, fired at the first evaluation that sees its minute, resolved once it is over.
    expect(await tick(31.25)).toEqual(['Reconnect storm: pending', 'Reconnect storm: firing'])
    expect(await tick(32.25)).toEqual([])
    expect(await tick(33.25)).toEqual([])
    expect(await tick(33.75)).toEqual(['Reconnect storm: resolved'])

    expect(await kindsOf(staleRule)).toEqual(['pending', 'firing', 'resolved'])
    expect(await kindsOf(perTabRule)).toEqual(['pending', 'firing', 'resolved'])
    expect(await kindsOf(stormRule)).toEqual(['pending', 'firing', 'resolved'])
    const storm = receiver.to('/storm').map((r) => JSON.parse(r.body))
    expect(storm.map((b) => b.type)).toEqual(['alert.firing', 'alert.resolved'])
    expect(storm[0]).toMatchObject({ rule: { kind: 'reconnect_storm', name: 'Reconnect storm' }, value: 300, threshold: 50, since: T0 + 31.25 * M })
    expect(storm[0].summary).toContain('from v1')
    expect(receiver.to('/stale').map((r) => JSON.parse(r.body).type)).toEqual(['alert.firing', 'alert.resolved'])
  })

  it('refuse a storm rule with no limit, naming the field', () => {
    const parsed = newRuleSchema.safeParse({ project: projectId, name: 'x', condition: { kind: 'reconnect_storm' }, destinations: [{ kind: 'webhook', url: 'https://hooks.example/x' }] })
    expect(parsed.success).toBe(false)
    expect(parsed.error?.issues[0]?.path).toEqual(['condition', 'perMinuteAbove'])
    expect(newRuleSchema.safeParse({ project: projectId, name: 'x', condition: { kind: 'requests_per_tab', factor: 1 }, destinations: [{ kind: 'webhook', url: 'https://hooks.example/x' }] }).success).toBe(false)
  })
})
