import { describe, expect, it } from 'vitest'
import * as minSupportedRoute from '@/app/api/projects/[id]/min-supported/route'
import * as settingsRoute from '@/app/api/projects/[id]/rollout/settings/route'
import { addressGroup } from '@/lib/http/client-address'
import { runningWave } from '@/lib/rollout/registry'
import { rolloutLoop, tick } from '@/lib/rollout/start'
import { stormCauses } from '@/lib/rollout/guard'
import type { WireEvent } from '@/sdk/src/wire'
import { useEngine } from '../../support/engine'
import { envelope, heartbeat, uid } from '../../support/envelopes'
import { useIngestServer } from '../../support/ingest-server'
import { call, released, type Project } from '../../support/rollout-calls'

// Fake tabs against a wave, over real sockets on loopback through the real
// runtime: the addresses come from X-Forwarded-For (a trusted proxy), so one
// test process can speak as several clients.

process.env.STALEWATCH_TRUST_PROXY = '1'
useEngine()

const server = useIngestServer()

/** One tab's heartbeat from `address`; its answer. A 503 (storage slow on a busy machine) is retried, as the SDK does. */
async function beat(project: Project, session: string, address: string, visibility: 'visible' | 'hidden' = 'hidden') {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify(envelope(project.ingestKey, 'v1', [heartbeat(Date.now(), visibility)], { session })),
    })
    const body = (await response.json()) as { belowMinimum?: boolean; reloadIn?: number | null }
    if (response.status !== 503 || attempt === 5) return { status: response.status, body }
    await new Promise((r) => setTimeout(r, 500))
  }
}

/** `n` fake sessions from `address`, 20 at a time; the slots they were given (ms from their answers). */
async function flood(project: Project, address: string, n: number): Promise<number[]> {
  const waits: number[] = []
  for (let i = 0; i < n; i += 20) {
    const answers = await Promise.all(Array.from({ length: Math.min(20, n - i) }, () => beat(project, uid('fake'), address)))
    for (const a of answers) {
      expect(a.status).toBe(200)
      waits.push(a.body.reloadIn!)
    }
  }
  return waits
}

describe('fake tabs cannot push a real tab back', () => {
  it('fake session ids from a handful of addresses delay a real tab\'s slot by at most 30 s of the pace per address', async () => {
    const project = await released('slot-flood')
    // 60 a minute: one slot a second; the first slot an hour from now, so every slot is still to come.
    await call(settingsRoute.PUT, project.id, '/', { method: 'PUT', body: JSON.stringify({ reloadsPerMinute: 60, leadSeconds: 3600 }) })
    await call(minSupportedRoute.PUT, project.id, '/', { method: 'PUT', body: JSON.stringify({ version: 'v2' }) })
    const before = (await beat(project, uid('early'), '198.51.100.20')).body.reloadIn!
    // Five attacker addresses (two of them one IPv6 /64), 200 fake tabs each: 1,000 fake tabs.
    const attackers = ['203.0.113.7', '203.0.113.8', '203.0.113.9', '2001:db8:1:2::1', '2001:db8:1:2:ffff::9']
    for (const address of attackers) await flood(project, address, 200)
    const real = await beat(project, uid('real'), '198.51.100.7')
    expect(real.body.belowMinimum).toBe(true)
    // Four address groups at 30 s each, and the real tab's own place one second after the one before it.
    const delay = real.body.reloadIn! - before
    expect(delay, `real tab's slot moved by ${delay} ms`).toBeLessThanOrEqual(4 * 30_000 + 2_000)
  })

  it('groups an IPv6 /64 as one address, and an IPv4-mapped address as its IPv4 one', () => {
    expect(addressGroup('2001:db8:1:2::1')).toBe(addressGroup('2001:0db8:0001:0002:ffff:0:0:9'))
    expect(addressGroup('2001:db8:1:3::1')).not.toBe(addressGroup('2001:db8:1:2::1'))
    expect(addressGroup('::ffff:203.0.113.7')).toBe('203.0.113.7')
    expect(addressGroup('::1')).toBe('0:0:0:0::/64')
  })
})

describe('fake tabs cannot pause a wave', () => {
  it('40 fake hidden tabs from one address that take their forced reloads and never come back do not trip not_landing', async () => {
    const project = await released('not-landing-flood')
    await call(settingsRoute.PUT, project.id, '/', { method: 'PUT', body: JSON.stringify({ reloadsPerMinute: 600, leadSeconds: 0 }) })
    await call(minSupportedRoute.PUT, project.id, '/', { method: 'PUT', body: JSON.stringify({ version: 'v2' }) })
    const fakes = Array.from({ length: 40 }, () => uid('fake'))
    // Each asks as the SDK does, again when its slot comes, until it is told "now".
    const granted = await Promise.all(
      fakes.map(async (s) => {
        for (let i = 0; i < 10; i++) {
          const { reloadIn } = (await beat(project, s, '203.0.113.40')).body
          if (reloadIn === 0) return true
          await new Promise((r) => setTimeout(r, Math.min(reloadIn!, 5_000)))
        }
        return false
      }),
    )
    expect(granted.filter(Boolean)).toHaveLength(40)
    // Five minutes on: none of them came back. The guard looks.
    const loop = rolloutLoop(true)
    await tick(loop, Date.now() + 5 * 60_000)
    const wave = runningWave(project.id)!
    expect(wave.granted).toBe(40)
    expect(wave.causes.map((c) => c.cause)).not.toContain('not_landing')
    expect(wave.paused).toBe(false)
  })
})

describe('fake resumes cannot pause a wave', () => {
  /** `n` fake tabs from `address`, each sending one resume. */
  async function resumes(project: Project, address: string, n: number): Promise<void> {
    for (let i = 0; i < n; i += 20) {
      const statuses = await Promise.all(
        Array.from({ length: Math.min(20, n - i) }, async () => {
          const response = await fetch(server.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
            body: JSON.stringify(envelope(project.ingestKey, 'v1', [{ id: uid('e'), ts: Date.now(), type: 'resume' } as WireEvent])),
          })
          await response.arrayBuffer()
          return response.status
        }),
      )
      expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([])
    }
  }

  it('300 fake resume events from one address are not a resume storm; resumes from many addresses are', async () => {
    const project = await released('resume-flood')
    await resumes(project, '203.0.113.60', 300)
    const causes = await stormCauses(project.id, Date.now())
    expect(causes.map((c) => c.cause)).not.toContain('resume_storm')
    // A real storm: 30 tabs on 30 addresses resume at once.
    for (let i = 1; i <= 30; i++) await resumes(project, `198.51.100.${i}`, 1)
    expect((await stormCauses(project.id, Date.now())).map((c) => c.cause)).toContain('resume_storm')
  })
})
