import { describe, expect, it } from 'vitest'
import { projectById } from '@/lib/projects/project-directory'
import { registerRelease } from '@/lib/releases/release-store'
import { chartContext } from '@/lib/figures/chart-context'
import { loadChart } from '@/lib/figures/charts'
import { testProject, useEngine } from '../../support/engine'
import { M, sendAll, Tab } from '../../support/known-answer-tabs'

// A public ingest key can send any version string: a chart must still show a
// handful of series (the latest release and the versions with the most
// sessions), with everything else summed as "other", so a page stays small
// and every session is still counted.
useEngine()

describe('charts with many versions live', () => {
  it('show the latest release and the top versions by sessions, the rest as other', async () => {
    const project = await testProject('many-versions')
    const to = Math.floor(Date.now() / M) * M - 10 * M
    const from = to - 20 * M
    await registerRelease({ project: project.id, version: 'latest', releasedAt: from - 60 * M })
    const tabs: Tab[] = [new Tab('latest').beat(from - 5 * M, to)]
    // big-1 .. big-8 with 12 down to 5 tabs, then 30 junk versions with one tab each.
    for (let i = 1; i <= 8; i++) for (let n = 0; n < 13 - i; n++) tabs.push(new Tab(`big-${i}`).beat(from - 5 * M, to))
    for (let i = 0; i < 30; i++) tabs.push(new Tab(`junk-${i}`).beat(from - 5 * M, to))
    await sendAll(project.ingestKey, tabs)
    const ctx = await chartContext((await projectById(project.id))!, 'raw')

    const chart = await loadChart(ctx, 'versions', { from, to })
    expect([...chart.series].sort()).toEqual(['big-1', 'big-2', 'big-3', 'big-4', 'big-5', 'latest', 'other'])
    expect(chart.series.at(-1)).toBe('other')
    const at = chart.points.find((p) => p.x === to)!
    expect(at.values['latest']).toBe(1)
    expect(at.values['big-1']).toBe(12)
    // big-6 .. big-8 (7 + 6 + 5 tabs) and the 30 junk versions.
    expect(at.values['other']).toBe(7 + 6 + 5 + 30)
    const total = Object.values(at.values).reduce<number>((sum, v) => sum + (v ?? 0), 0)
    expect(total).toBe(tabs.length)

    const visibility = await loadChart(ctx, 'visibility', { from, to })
    expect(visibility.series.length).toBeLessThanOrEqual(7 * 3)
  })
})
