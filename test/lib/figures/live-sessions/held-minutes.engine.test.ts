import { expect, it } from 'vitest'
import { liveMinutes, type LiveMinutesParams } from '@/lib/figures/live-sessions/read-minutes'
import { rollupProject } from '@/lib/rollup-runner/run-project'
import { onQueryTimed } from '@/lib/store/run-query'
import { testProject, useEngine } from '../../../support/engine'
import { M, sendAll, Tab } from '../../../support/known-answer-tabs'

// The finalised live minutes of the last day are held in memory
// (lib/figures/live-sessions/held-minutes.ts): after the first read, a chart's
// stored part reads no table, and it equals the raw definition, before and
// after a late event the next rollup run takes into a finalised minute.
useEngine()

const W = 180

async function readsOf<T>(run: () => Promise<T>): Promise<{ value: T; reads: string[] }> {
  const reads: string[] = []
  const off = onQueryTimed((q) => reads.push(q.name))
  try {
    return { value: await run(), reads }
  } finally {
    off()
  }
}

it('answers finalised minutes from memory, equal to the raw definition, late events included', async () => {
  const project = await testProject('held-minutes')
  const now = Date.now()
  const to = Math.floor(now / M) * M - 10 * M
  const from = to - 40 * M
  const late = new Tab('v1')
  await sendAll(project.ingestKey, [
    new Tab('v1').beat(from - 5 * M, to, 'visible'),
    new Tab('v1').beat(from - 5 * M, from + 20 * M, 'hidden'),
    new Tab('v2').beat(from + 10 * M, to, 'visible'),
    late.beat(from - 5 * M, from + 5 * M, 'hidden'),
  ])
  await rollupProject(project.id, W, now)
  const params = (byVisibility: boolean, stepMinutes = 1): LiveMinutesParams => ({ projectId: project.id, from, to, windowSeconds: W, byVisibility, stepMinutes })
  const raw = (p: LiveMinutesParams) => liveMinutes({ ...p, source: 'raw' })

  await liveMinutes(params(true))
  for (const [byVisibility, step] of [[true, 1], [false, 1], [true, 5], [false, 10]] as const) {
    const { value, reads } = await readsOf(() => liveMinutes(params(byVisibility, step)))
    expect(reads.filter((name) => name.startsWith('liveMinutes'))).toEqual([])
    expect(value, `byVisibility ${byVisibility}, step ${step}`).toEqual(await raw(params(byVisibility, step)))
  }
  const at = (rows: Awaited<ReturnType<typeof liveMinutes>>, minute: number) => rows.filter((r) => r.minute === minute).map((r) => [r.version, r.visibility, r.sessions])
  expect(at(await liveMinutes(params(true)), from + 15 * M)).toEqual([['v1', 'hidden', 1], ['v1', 'visible', 1], ['v2', 'visible', 1]])

  // The offline tab's beats from 15 and 25 minutes in reach the server only now: the next run rewrites those minutes.
  await sendAll(project.ingestKey, [late.lateBeat(from + 15 * M, Date.now()).lateBeat(from + 25 * M, Date.now())])
  await rollupProject(project.id, W, Date.now())
  const after = await liveMinutes(params(true))
  expect(at(after, from + 15 * M)).toEqual([['v1', 'hidden', 1], ['v1', 'visible', 2], ['v2', 'visible', 1]])
  expect(after).toEqual(await raw(params(true)))
  expect(await liveMinutes(params(false, 5))).toEqual(await raw(params(false, 5)))
})
