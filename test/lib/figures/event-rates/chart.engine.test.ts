import { expect, it } from 'vitest'
import { chartContext } from '@/lib/figures/chart-context'
import { loadChart } from '@/lib/figures/charts'
import { eventMinutes } from '@/lib/figures/event-rates/read-minutes'
import { projectById } from '@/lib/projects/project-directory'
import { onQueryTimed } from '@/lib/store/run-query'
import type { WireEvent } from '@/sdk/src/wire'
import { testProject, useEngine } from '../../../support/engine'
import { uid } from '../../../support/envelopes'
import { send } from '../../../support/rollout-calls'

// A page's event charts (reloads by reason; resumes, returns and errors by
// version) over one window come from one read, each summing away the
// dimension it does not draw, and count what each kind's own read counts.
useEngine()

const M = 60_000

it('draws every event chart of a window from one read, with the counts of each kind read alone', async () => {
  const project = await testProject('event-charts')
  const t = Date.now() - 5_000
  const at = (ms: number) => t - ms
  const ev = (event: Record<string, unknown>, ago: number) => ({ id: uid('evt'), ts: at(ago), ...event }) as WireEvent
  await send(project, uid('s'), 'v1', [ev({ type: 'reload', reason: 'update_prompt' }, 0), ev({ type: 'error', message: 'boom' }, 1), ev({ type: 'error', message: 'boom' }, 2)])
  await send(project, uid('s'), 'v2', [ev({ type: 'reload', reason: 'update_prompt' }, 3), ev({ type: 'reload', reason: 'forced' }, 4), ev({ type: 'resume' }, 5)])
  await send(project, uid('s'), 'v2', [ev({ type: 'visibility', visibility: 'visible' }, 6), ev({ type: 'visibility', visibility: 'hidden' }, 7)])
  await send(project, uid('s'), 'v1', [ev({ type: 'skew_error', cause: 'gone', path: '/assets/lazy-*.js', age: 90_000 }, 8)])
  const to = Math.ceil(Date.now() / M) * M
  const from = to - 10 * M
  const ctx = await chartContext((await projectById(project.id))!)
  // Events reach queries about a second after the ack.
  for (let i = 0; i < 100 && (await eventMinutes({ projectId: project.id, from, to, kinds: ['resume'], seriesBy: 'version' })).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100))

  const totals = (chart: Awaited<ReturnType<typeof loadChart>>) => {
    const sums: Record<string, number> = {}
    for (const p of chart.points) for (const [series, v] of Object.entries(p.values)) sums[series] = (sums[series] ?? 0) + (v ?? 0)
    return Object.fromEntries(Object.entries(sums).filter(([, n]) => n > 0))
  }
  const reads: string[] = []
  const off = onQueryTimed((q) => reads.push(q.name))
  const charts = {
    reloads: await loadChart(ctx, 'reloads', { from, to }),
    resumes: await loadChart(ctx, 'resumes', { from, to }),
    returns: await loadChart(ctx, 'returns', { from, to }),
    errors: await loadChart(ctx, 'errors', { from, to }),
    skewByCause: await loadChart(ctx, 'skew-errors', { from, to }),
    skewByVersion: await loadChart(ctx, 'skew-errors-by-version', { from, to }),
    skewOlderShare: await loadChart(ctx, 'skew-errors-older-share', { from, to }),
  }
  off()
  expect(reads.filter((name) => name.startsWith('eventMinutes')), 'one read for the seven charts').toEqual(['eventMinutes'])
  expect(totals(charts.skewByCause)).toEqual({ gone: 1 })
  expect(totals(charts.skewByVersion)).toEqual({ v1: 1 })
  expect(totals(charts.reloads)).toEqual({ update_prompt: 2, forced: 1 })
  expect(totals(charts.resumes)).toEqual({ v2: 1 })
  expect(totals(charts.returns)).toEqual({ v2: 1 })
  expect(totals(charts.errors)).toEqual({ v1: 2 })
  // And each equals its kind's own read.
  const own = async (kind: 'reload' | 'error', seriesBy: 'reason' | 'version') =>
    (await eventMinutes({ projectId: project.id, from, to, kinds: [kind], seriesBy })).reduce<Record<string, number>>((sums, r) => ({ ...sums, [r.series]: (sums[r.series] ?? 0) + r.events }), {})
  expect(totals(charts.reloads)).toEqual(await own('reload', 'reason'))
  expect(totals(charts.errors)).toEqual(await own('error', 'version'))
})

it('answers finalised event minutes from memory, equal to the raw definition in every bucket size, late events included', async () => {
  const { eventMinutesByVersionAndReason } = await import('@/lib/figures/event-rates/read-minutes')
  const { rollupProject } = await import('@/lib/rollup-runner/run-project')
  const { sendAll, Tab } = await import('../../../support/known-answer-tabs')
  const project = await testProject('held-event-minutes')
  const to = Math.floor(Date.now() / M) * M - 10 * M
  const from = to - 90 * M
  const late = new Tab('v1')
  await sendAll(project.ingestKey, [
    new Tab('v1').beat(from, from + 20 * M).reload(from + 21 * M, 'v2', 'update_prompt').beat(from + 22 * M, from + 50 * M).resume(from + 51 * M).beat(from + 52 * M, to),
    new Tab('v1').beat(from, from + 33 * M).reload(from + 34 * M, 'v2').beat(from + 35 * M, to),
    new Tab('v2').beat(from + 5 * M, from + 60 * M).resume(from + 61 * M).reload(from + 70 * M, 'v2', 'forced').beat(from + 71 * M, to),
    late.beat(from, from + 10 * M),
  ])
  await rollupProject(project.id, 180, Date.now())
  const kinds = ['reload', 'resume', 'load'] as const
  // The engine's buckets come in no set order within a key: compare in one order.
  const ordered = <T extends object>(rows: T[]) => rows.map((r) => JSON.stringify(r)).sort()
  const read = async (source: 'auto' | 'raw', stepMinutes: number) => eventMinutesByVersionAndReason({ projectId: project.id, from, to, kinds, stepMinutes, source })
  const byVersion = async (source: 'auto' | 'raw', stepMinutes: number) => ordered(await eventMinutes({ projectId: project.id, from, to, kinds, seriesBy: 'version', stepMinutes, source }))
  await read('auto', 1)
  for (const step of [1, 5, 7, 60]) {
    const reads: string[] = []
    const off = onQueryTimed((q) => reads.push(q.name))
    const [both, versions] = [await read('auto', step), await byVersion('auto', step)]
    off()
    expect(reads.filter((name) => name.startsWith('eventMinutes')), `step ${step}`).toEqual([])
    expect(ordered(both), `step ${step}`).toEqual(ordered(await read('raw', step)))
    expect(versions, `step ${step}`).toEqual(await byVersion('raw', step))
  }
  const reloadsAt = (rows: Awaited<ReturnType<typeof read>>, minute: number) => rows.filter((r) => r.kind === 'reload' && r.minute === minute).map((r) => [r.version, r.reason, r.events])
  expect(reloadsAt(await read('auto', 1), from + 21 * M - M)).toEqual([['v1', 'update_prompt', 1]])

  // The offline tab's reload event from 40 minutes in reaches the server only now: the next run rewrites that minute.
  await sendAll(project.ingestKey, [late.lateReloadEvent(from + 40 * M, 'v2', 'forced', Date.now())])
  await rollupProject(project.id, 180, Date.now())
  const after = await read('auto', 1)
  expect(reloadsAt(after, from + 40 * M)).toEqual([['v2', 'forced', 1]])
  expect(ordered(after)).toEqual(ordered(await read('raw', 1)))
  expect(await byVersion('auto', 7)).toEqual(await byVersion('raw', 7))
})
