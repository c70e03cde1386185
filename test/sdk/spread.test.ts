// 10,000 clients learn at the same moment that they are below the minimum
// version: their forced reloads must spread evenly over the window.
import { expect, it } from 'vitest'
import { init } from '../../sdk/src/index'
import { fakeEnv, ok, seeded, simClock } from './fakes'

it('spreads 10,000 forced reloads uniformly over forceReloadWindowSeconds', async () => {
  const clients = 10_000
  const windowSeconds = 600
  const random = seeded(42)
  const clock = simClock()
  const t0 = clock.now()
  const reloads: number[] = []
  for (let i = 0; i < clients; i++) {
    const f = fakeEnv({ clock, random, visibility: 'hidden', respond: () => ok({ minSupported: 'v2', belowMinimum: true }) })
    f.env.location.reload = () => void reloads.push(clock.now())
    init({ key: 'pk', version: 'v1', env: f.env, heartbeatSeconds: 24 * 3600, forceReloadWindowSeconds: windowSeconds })
  }
  await clock.run(t0 + 1_000) // the first batch goes out, the answers arrive
  const learnedAt = t0 + 1_000
  await clock.run(learnedAt + windowSeconds * 1_000)
  expect(reloads).toHaveLength(clients)

  const slots = new Array<number>(windowSeconds / 10).fill(0)
  for (const t of reloads) {
    const s = Math.floor((t - learnedAt) / 10_000)
    expect(s).toBeGreaterThanOrEqual(0)
    expect(s).toBeLessThan(slots.length)
    slots[s]!++
  }
  const fair = clients / slots.length
  expect(Math.max(...slots)).toBeLessThanOrEqual(1.5 * fair)
  expect(Math.min(...slots)).toBeGreaterThanOrEqual(0.5 * fair)
})
