import { describe, expect, it } from 'vitest'
import { BoundedWork, BusyError } from '@/lib/limits/bounded-work'

describe('bounded work', () => {
  it('runs at most `concurrency` tasks at once, queues at most `maxWaiting`, and refuses the rest at once', async () => {
    const work = new BoundedWork(1, 4)
    let running = 0
    let mostAtOnce = 0
    const task = async () => {
      running++
      mostAtOnce = Math.max(mostAtOnce, running)
      await new Promise((r) => setTimeout(r, 5))
      running--
      return 'done'
    }
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => work.run(task).catch((e: unknown) => (e instanceof BusyError ? 'busy' : 'other'))))
    expect(outcomes.filter((o) => o === 'done')).toHaveLength(5)
    expect(outcomes.filter((o) => o === 'busy')).toHaveLength(15)
    expect(mostAtOnce).toBe(1)
    // Free again once drained, and a failing task frees its slot too.
    await expect(work.run(async () => Promise.reject(new Error('scrypt failed')))).rejects.toThrow('scrypt failed')
    expect(await work.run(task)).toBe('done')
    expect(work.queued).toBe(0)
  })
})
