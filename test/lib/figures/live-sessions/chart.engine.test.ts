import { expect, it } from 'vitest'
import { projectById } from '@/lib/projects/project-directory'
import { chartContext } from '@/lib/figures/chart-context'
import { loadChart } from '@/lib/figures/charts'
import { onQueryTimed } from '@/lib/store/run-query'
import { testProject, useEngine } from '../../../support/engine'
import { M, sendAll, Tab } from '../../../support/known-answer-tabs'

// A page's versions and visibility charts over the same window read the live
// minutes once: the counts by version are the sums over visibility.
useEngine()

it('draws the versions and visibility charts of one window from one read, the versions as the sums over visibility', async () => {
  const project = await testProject('one-read')
  const to = Math.floor(Date.now() / M) * M - 10 * M
  const from = to - 10 * M
  const tabs = [
    new Tab('v1').beat(from - 5 * M, to, 'visible'),
    new Tab('v1').beat(from - 5 * M, to, 'hidden'),
    new Tab('v1').beat(from - 5 * M, to, 'hidden'),
    new Tab('v2').beat(from - 5 * M, to, 'visible'),
  ]
  await sendAll(project.ingestKey, tabs)
  const ctx = await chartContext((await projectById(project.id))!, 'raw')
  const reads: string[] = []
  const off = onQueryTimed((q) => reads.push(q.name))
  const versions = await loadChart(ctx, 'versions', { from, to })
  const visibility = await loadChart(ctx, 'visibility', { from, to })
  off()
  expect(reads.filter((name) => name.startsWith('liveMinutes'))).toEqual(['liveMinutes.raw'])
  const versionsAt = versions.points.find((p) => p.x === to)!.values
  expect(versionsAt).toEqual({ v1: 3, v2: 1 })
  const visibilityAt = visibility.points.find((p) => p.x === to)!.values
  const sum = (values: Record<string, number | null>) => Object.values(values).reduce<number>((n, v) => n + (v ?? 0), 0)
  expect(sum(visibilityAt)).toBe(4)
  expect(Object.values(visibilityAt).filter((v) => v !== null && v > 0).sort()).toEqual([1, 1, 2])
})
