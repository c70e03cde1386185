import { describe, expect, it } from 'vitest'
import { registerRelease } from '@/lib/releases/release-store'
import { rollupProject } from '@/lib/rollup-runner/run-project'
import { testProject, useEngine } from '../../support/engine'
import { M, sendAll, Tab } from '../../support/known-answer-tabs'

// The scheduler runs every 20 s, and a minute closes once a minute: two runs
// in three used to recompute the same trailing minutes from the raw events
// with nothing new in them (at 100,000 live tabs, 8.5 s of every 20 s).
// A run with no minute closed since the last one now does work only for what
// changed: events received late into finalised minutes, or the catalog.

useEngine()

const HOUR = 60 * M

describe('a rollup run with no new minute closed', () => {
  it('does nothing when nothing arrived late and the catalog is the same, and recomputes from a late event or after a release', async () => {
    const T0 = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR
    const project = await testProject('rollup-skip')
    await registerRelease({ project: project.id, version: 'v1', releasedAt: T0 - HOUR })
    await sendAll(project.ingestKey, [new Tab('v1').beat(T0, T0 + 30 * M), new Tab('v1').beat(T0 + 10 * M, T0 + 40 * M)])
    const now = T0 + 50 * M + 30_000
    const first = await rollupProject(project.id, 180, now)
    expect(first).toMatchObject({ through: T0 + 49 * M })

    // The same closed minute, nothing new: no work.
    expect(await rollupProject(project.id, 180, now + 10_000)).toBeNull()

    // A release changes what the figures stored for the edge say: the run stores them again.
    await registerRelease({ project: project.id, version: 'v2', releasedAt: T0 + 45 * M })
    expect(await rollupProject(project.id, 180, now + 20_000)).toMatchObject({ through: T0 + 49 * M })
    expect(await rollupProject(project.id, 180, now + 25_000)).toBeNull()

    // The next minute closes: the run finalises it with the trailing minutes.
    expect(await rollupProject(project.id, 180, now + 60_000)).toMatchObject({ from: T0 + 44 * M, through: T0 + 50 * M })
    expect(await rollupProject(project.id, 180, now + 65_000)).toBeNull()

    // A beat from 20 minutes ago reaches the server only now: the run goes back to its minute.
    // (A run still looks back 30 s before the previous one started, for events written while it read.)
    await sendAll(project.ingestKey, [new Tab('v1').lateBeat(T0 + 20 * M + 5_000, Date.now())])
    expect(await rollupProject(project.id, 180, now + 70_000)).toMatchObject({ from: T0 + 20 * M, through: T0 + 50 * M })
  })
})
