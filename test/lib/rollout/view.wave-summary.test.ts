import { describe, expect, it } from 'vitest'
import type { WaveStatusView } from '@/lib/rollout/status'
import { waveSummary } from '@/lib/rollout/view'

// What the rollout page says about a wave in one line (issue #27, "empty
// waves and singular counts read correctly").

const T = Date.UTC(2026, 11, 7, 11, 0)
const wave = (o: Partial<WaveStatusView>): WaveStatusView => ({
  minimum: 'v2', changedAt: T, startsAt: T + 120_000, reloadsPerMinute: 20, paused: false, pausedSince: null, causes: [], granted: 0, landed: 0,
  lastGrantAt: null, perMinute: [], belowMinimum: 0, projectedEndAt: T + 120_000, ...o,
})

describe('the wave in one line', () => {
  it('says a wave over no tab has nothing to do, instead of counting down to its start', () => {
    const { text, state } = waveSummary(wave({ belowMinimum: 0 }), T + 1000)
    expect(text).not.toMatch(/Starts in/)
    expect(text).toMatch(/no live tab is below v2/i)
    expect(state).toBe('done')
  })

  it('counts one tab and one reload in the singular', () => {
    const { text } = waveSummary(wave({ belowMinimum: 1, granted: 1, landed: 0, startsAt: T }), T + 60_000)
    expect(text).toContain('1 forced reload started, 0 landed; 1 live tab below v2')
  })
})
