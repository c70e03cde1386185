// 10,000 tabs running the real SDK with automatic reloads learn at once that
// they are below a new minimum, and a real wave (lib/rollout/wave.ts) answers
// them: no minute holds more forced reloads than the rate, and the wave ends
// when the preview's formula says.
import { expect, it } from 'vitest'
import { init } from '../../../sdk/src/index'
import { watchReloads } from '../../../sdk/src/reloads'
import { minuteOf, projectedEnd, spacingMs } from '../../../lib/rollout/pace'
import { Wave } from '../../../lib/rollout/wave'
import { fakeEnv, headerOk, seeded, simClock } from '../fakes'

it('paces 10,000 forced reloads at the rate, ending when the preview says', async () => {
  const tabs = 10_000
  const rate = 2_000
  const clock = simClock()
  const t0 = clock.now()
  const lead = 60_000
  const wave = new Wave({ projectId: 'p', changeId: String(t0), minimum: 'v2', changedAt: t0 }, { startsAt: t0 + lead, reloadsPerMinute: rate })
  const random = seeded(7)
  const reloads: number[] = []
  for (let i = 0; i < tabs; i++) {
    let reloaded = false
    const f = fakeEnv({
      clock,
      random,
      visibility: 'hidden',
      respond: (sent) => {
        const last = sent.envelope.events.filter((e) => 'visibility' in e).at(-1)
        const ready = !!last && 'visibility' in last && last.visibility == 'hidden'
        return headerOk({ minSupported: 'v2', belowMinimum: !reloaded, reloadIn: reloaded ? null : wave.answer({ session: sent.envelope.session, ready, unsaved: false }, clock.now()) })
      },
    })
    f.env.location.reload = () => {
      reloaded = true
      reloads.push(clock.now())
    }
    // Heartbeats a minute apart; tabs open in 50 groups over the first 50 s.
    const options = { key: 'pk', version: 'v1', env: f.env, heartbeatSeconds: 60 }
    if (i % 200 == 0) await clock.run(t0 + (i / 200) * 1_000)
    init(options)
    watchReloads(options)
  }
  await clock.run(t0 + lead + 6 * 60_000)

  expect(reloads).toHaveLength(tabs)
  const perMinute = new Map<number, number>()
  for (const t of reloads) perMinute.set(minuteOf(t), (perMinute.get(minuteOf(t)) ?? 0) + 1)
  expect(Math.max(...perMinute.values())).toBeLessThanOrEqual(rate)
  const end = projectedEnd(tabs, rate, wave.startsAt)!
  expect(Math.min(...reloads)).toBeGreaterThanOrEqual(wave.startsAt - 1_000)
  expect(Math.max(...reloads)).toBeGreaterThanOrEqual(end - 2 * spacingMs(rate))
  expect(Math.max(...reloads)).toBeLessThanOrEqual(end + 1_000)
}, 120_000)
