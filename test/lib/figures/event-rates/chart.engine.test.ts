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
  const to = Math.ceil(Date.now() / M) * M
  const from = to - 10 * M
  const ctx = await chartContext((await projectById(project.id))!)
  // Events reach queries about a second after the ack.
  for (let i = 0; i < 100 && (await eventMinutes({ projectId: project.id, from, to, kinds: ['resume'], seriesBy: 'version' })).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100))

  const reads: string[] = []
  const off = onQueryTimed((q) => reads.push(q.name))
  const charts = {
    reloads: await loadChart(ctx, 'reloads', { from, to }),
    resumes: await loadChart(ctx, 'resumes', { from, to }),
    returns: await loadChart(ctx, 'returns', { from, to }),
    errors: await loadChart(ctx, 'errors', { from, to }),
  }
  off()
  expect(reads.filter((name) => name === 'eventMinutes'), 'one read for the four charts').toHaveLength(1)
  const totals = (chart: (typeof charts)['reloads']) => {
    const sums: Record<string, number> = {}
    for (const p of chart.points) for (const [series, v] of Object.entries(p.values)) sums[series] = (sums[series] ?? 0) + (v ?? 0)
    return Object.fromEntries(Object.entries(sums).filter(([, n]) => n > 0))
  }
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
