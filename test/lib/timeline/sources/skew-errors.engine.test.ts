import { expect, it } from 'vitest'
import { readTimeline } from '@/lib/timeline/read'
import { timelineMarkdown } from '@/lib/timeline/markdown'
import type { WireEvent } from '@/sdk/src/wire'
import { eventually } from '../../../support/backend-load'
import { testProject, useEngine } from '../../../support/engine'
import { envelope, post, uid } from '../../../support/envelopes'
import { startIngestServer } from '../../../support/ingest-server'

// Skew-error spikes on the incident timeline: a minute with far more skew
// errors than the window's usual rate is one entry on the `skew` lane, with
// its count and the cause most of them had; a quiet minute is none.
useEngine()

const MINUTE = 60_000
const skew = (cause: string, ts: number) => ({ id: uid('skew'), ts, type: 'skew_error', cause, path: '/assets/lazy-*.js', age: 90_000 }) as WireEvent

it('puts a spike of skew errors on the timeline with its count and main cause, and leaves a quiet minute off', async () => {
  const server = await startIngestServer()
  try {
    const project = await testProject('timeline-skew')
    const now = Date.now()
    const spikeMinute = Math.floor(now / MINUTE) * MINUTE - 3 * MINUTE
    const quietMinute = spikeMinute - 5 * MINUTE
    const events = [
      ...Array.from({ length: 5 }, (_, i) => skew('gone', spikeMinute + 1_000 + i)),
      ...Array.from({ length: 2 }, (_, i) => skew('network', spikeMinute + 2_000 + i)),
      skew('gone', quietMinute + 1_000),
    ]
    expect((await post(server.url, envelope(project.ingestKey, 'v1', events))).status).toBe(200)
    const window = { projectId: project.id, from: spikeMinute - 20 * MINUTE, to: spikeMinute + 10 * MINUTE, windowSeconds: 120 }
    const timeline = await eventually(
      () => readTimeline(window),
      (t) => t.entries.some((e) => e.source === 'skew'),
    )
    const skewEntries = timeline.entries.filter((e) => e.source === 'skew')
    expect(skewEntries).toEqual([{ at: spikeMinute, to: spikeMinute + MINUTE, source: 'skew', kind: 'gone', title: '7 skew errors, mostly gone' }])
    expect(timeline.missing).toEqual([])
    expect(timelineMarkdown(timeline, 'http://stalewatch.test/timeline')).toContain('7 skew errors, mostly gone')
  } finally {
    await server.close()
  }
})
