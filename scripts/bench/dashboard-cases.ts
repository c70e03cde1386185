// Every query the dashboard pages run, as the pages run them, for one
// project at one instant: the cases the live-tabs section times inside the
// server while the load generator runs (scripts/bench/product-server.ts).
// The queries section keeps its own list, which also times raw baselines.

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

export interface DashboardCase {
  page: string
  query: string
  run: () => Promise<unknown>
}

export async function dashboardCases(projectId: string, at: number): Promise<DashboardCase[]> {
  const { projectById } = await import('../../lib/projects/project-directory')
  const { chartContext } = await import('../../lib/figures/chart-context')
  const { loadChart } = await import('../../lib/figures/charts')
  const { liveSessions } = await import('../../lib/figures/live-sessions/read-now')
  const { versionTabAges } = await import('../../lib/figures/live-sessions/read-tab-ages')
  const { versionSeen } = await import('../../lib/releases/versions-seen')
  const { projectOverview } = await import('../../lib/figures/overview')
  const { releaseSummaries } = await import('../../lib/figures/release-summaries/summaries')
  const project = await projectById(projectId)
  if (!project) throw new Error(`no project ${projectId}`)
  const ctx = await chartContext(project)
  const w = project.livenessWindowSeconds
  const latest = ctx.timeline.filter((r) => r.releasedAt <= at).at(-1)
  const chart = (page: string, name: Parameters<typeof loadChart>[1], from: number, label: string, release = latest): DashboardCase => ({
    page,
    query: `chart ${name} (${label})`,
    run: () => loadChart(ctx, name, { from, to: at, release }),
  })
  return [
    { page: 'overview', query: 'liveSessions (now)', run: () => liveSessions({ projectId, at, windowSeconds: w }) },
    { page: 'overview', query: 'versionTabAges (now)', run: () => versionTabAges({ projectId, at, windowSeconds: w }) },
    { page: 'overview', query: 'versionSeen', run: () => versionSeen({ projectId }) },
    { page: 'overview', query: 'projectOverview (all figures)', run: () => projectOverview(ctx, at) },
    chart('overview', 'versions', at - HOUR, '1 h'),
    chart('overview', 'stale-share', at - DAY, '24 h'),
    { page: 'releases', query: 'releaseSummaries (all)', run: () => releaseSummaries(ctx, { at }) },
    ...(latest
      ? [
          { page: 'release', query: 'releaseSummaries (latest)', run: () => releaseSummaries(ctx, { at, only: latest }) },
          ...(['adoption', 'aligned', 'versions', 'visibility', 'reloads'] as const).map((name) => chart('release', name, latest.releasedAt - 15 * MINUTE, 'since release')),
        ]
      : []),
    ...(['versions', 'reloads', 'resumes', 'returns', 'errors'] as const).map((name) => chart('explorer', name, at - HOUR, '1 h')),
  ]
}
