import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminToken } from '@/lib/auth/admin-token'
import { resetConfigCache } from '@/lib/config'
import { sendNotification } from '@/lib/alerts/send'
import { testNotification } from '@/lib/alerts/message'
import type { Destination } from '@/lib/alerts/rule-schema'
import { useEngine, testProject } from '../../support/engine'
import { startReceiver, type Receiver } from '../../support/webhook-receiver'

// Webhook destinations are chosen by an admin, but the server makes the
// request: without egress rules a destination is a way to reach loopback
// services, the private network and the cloud metadata endpoint from inside.

useEngine()

let receiver: Receiver
beforeAll(async () => {
  receiver = await startReceiver()
})
afterAll(async () => {
  await receiver?.close()
})

function withAllowedNetworks<T>(networks: string | undefined, work: () => Promise<T>): Promise<T> {
  const before = process.env.STALEWATCH_WEBHOOK_ALLOWED_NETWORKS
  if (networks === undefined) delete process.env.STALEWATCH_WEBHOOK_ALLOWED_NETWORKS
  else process.env.STALEWATCH_WEBHOOK_ALLOWED_NETWORKS = networks
  resetConfigCache()
  return work().finally(() => {
    if (before === undefined) delete process.env.STALEWATCH_WEBHOOK_ALLOWED_NETWORKS
    else process.env.STALEWATCH_WEBHOOK_ALLOWED_NETWORKS = before
    resetConfigCache()
  })
}

async function createRule(projectId: string, url: string): Promise<Response> {
  const { POST } = await import('@/app/api/alerts/rules/route')
  return POST(
    new Request('http://dash.test/api/alerts/rules', {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken()}`, 'content-type': 'application/json', host: 'dash.test' },
      body: JSON.stringify({
        project: projectId,
        name: 'egress',
        condition: { kind: 'below_minimum', maxSessions: 0 },
        destinations: [{ kind: 'webhook', url }],
      }),
    }),
    undefined as never,
  )
}

const INTERNAL = [
  'http://127.0.0.1:9/hook',
  'http://127.1.2.3/hook',
  'http://localhost:9/hook',
  'http://[::1]/hook',
  'http://0.0.0.0/hook',
  'http://10.1.2.3/hook',
  'http://172.16.0.1/hook',
  'http://172.31.255.254/hook',
  'http://192.168.1.1/hook',
  'http://100.64.0.1/hook',
  'http://169.254.169.254/latest/meta-data/',
  'http://169.254.0.1/hook',
  'http://[fd00:ec2::254]/latest/meta-data/',
  'http://[fc00::1]/hook',
  'http://[fe80::1]/hook',
  'http://[::ffff:127.0.0.1]/hook',
  'http://[::ffff:169.254.169.254]/hook',
  'http://2130706433/hook',
  'http://0x7f.1/hook',
]

describe('webhook egress', () => {
  it('refuses, when a rule is saved, destinations on loopback, private, CGNAT, link-local and metadata addresses', async () => {
    const p = await testProject('egress')
    await withAllowedNetworks(undefined, async () => {
      for (const url of INTERNAL) {
        const response = await createRule(p.id, url)
        const body = (await response.json()) as { error?: { code: string; message: string } }
        expect(response.status, url).toBe(400)
        expect(body.error?.code, url).toBe('destination_not_allowed')
        expect(body.error?.message, url).toMatch(/destinations\.0\.url/)
      }
      // A public address is fine.
      expect((await createRule(p.id, 'https://203.0.113.10/hook')).status).toBe(201)
    })
  })

  it('allows them only when an operator lists the network', async () => {
    const p = await testProject('egress-allowed')
    await withAllowedNetworks('127.0.0.0/8, ::1/128', async () => {
      expect((await createRule(p.id, 'http://127.0.0.1:9/hook')).status).toBe(201)
      expect((await createRule(p.id, 'http://[::1]/hook')).status).toBe(201)
      // Other internal ranges stay closed.
      expect((await createRule(p.id, 'http://169.254.169.254/latest/meta-data/')).status).toBe(400)
    })
  })

  it('checks again at delivery and connects to the address it checked (DNS rebinding)', async () => {
    const port = new URL(receiver.url).port
    const destination: Destination = { id: 'd_rebind', kind: 'webhook', url: `http://hooks.rebind.test:${port}/rebind`, secret: 'whsec_0123456789abcdef' }
    const notification = testNotification(
      { id: 'r_rebind', projectId: 'p_x', name: 'rebind', condition: { kind: 'below_minimum', maxSessions: 0, forMinutes: 5, resolveMargin: 0.1, resolveAfter: 2 }, destinations: [destination], deleted: false, createdAt: 0 },
      Date.now(),
      '',
    )
    // The name resolved to something public when the rule was saved; now it says loopback.
    const rebound = async () => [{ address: '127.0.0.1', family: 4 }]
    const refused = await sendNotification(destination, notification, Date.now(), { allowedNetworks: [], lookup: rebound })
    expect(refused.ok).toBe(false)
    expect(refused.error).toMatch(/not allowed/)
    expect(receiver.to('/rebind')).toHaveLength(0)

    // Allowed, the request goes to exactly the address the check saw: the name resolves nowhere else.
    const delivered = await sendNotification(destination, notification, Date.now(), { allowedNetworks: ['127.0.0.1/32'], lookup: rebound })
    expect(delivered).toMatchObject({ ok: true })
    expect(receiver.to('/rebind')).toHaveLength(1)
    expect(receiver.to('/rebind')[0]!.headers.host).toBe(`hooks.rebind.test:${port}`)

    // An address literal saved while allowed is refused once the setting is gone.
    const literal: Destination = { ...destination, url: `${receiver.url}/literal` }
    expect((await sendNotification(literal, notification, Date.now(), { allowedNetworks: [], lookup: rebound })).ok).toBe(false)
    expect(receiver.to('/literal')).toHaveLength(0)
  })

  it('the test endpoint says whether each destination took the message, without echoing its status or errors', async () => {
    const p = await testProject('egress-test')
    await withAllowedNetworks('127.0.0.1/32', async () => {
      receiver.failFirst('/down', 100)
      const closed = await startReceiver()
      const closedUrl = `${closed.url}/gone`
      await closed.close()
      const { POST: create } = await import('@/app/api/alerts/rules/route')
      const created = await create(
        new Request('http://dash.test/api/alerts/rules', {
          method: 'POST',
          headers: { authorization: `Bearer ${adminToken()}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            project: p.id,
            name: 'test endpoint',
            condition: { kind: 'below_minimum', maxSessions: 0 },
            destinations: [
              { kind: 'webhook', url: `${receiver.url}/up` },
              { kind: 'webhook', url: `${receiver.url}/down` },
              { kind: 'webhook', url: closedUrl },
            ],
          }),
        }),
        undefined as never,
      )
      expect(created.status).toBe(201)
      const { id } = (await created.json()) as { id: string }
      const { POST: test } = await import('@/app/api/alerts/rules/[id]/test/route')
      const answer = await test(
        new Request(`http://dash.test/api/alerts/rules/${id}/test`, { method: 'POST', headers: { authorization: `Bearer ${adminToken()}` } }),
        { params: Promise.resolve({ id }) },
      )
      expect(answer.status).toBe(200)
      const text = await answer.text()
      const body = JSON.parse(text) as { ok: boolean; results: Record<string, unknown>[] }
      expect(body.ok).toBe(false)
      expect(body.results.map((r) => r.outcome)).toEqual(['delivered', 'refused_by_receiver', 'unreachable'])
      for (const r of body.results) expect(Object.keys(r).sort()).toEqual(['destination', 'kind', 'ok', 'outcome'])
      expect(text).not.toMatch(/503|ECONNREFUSED|127\.0\.0\.1/)
    })
  })
})
