import { skewErrorCounts, type SkewErrorCount } from '../figures/skew-errors/read'
import { listProjects } from '../projects/project-store'
import { catalogFor } from '../releases/catalog'
import { isStale } from '../semantics/rollout'
import type { MetricFamily, Sample } from './exposition'

// Skew errors in /api/metrics (docs/skew-errors.md): those of the last five
// minutes by project and cause, and how many came from builds older than the
// latest release, read through the figure's own folder.

/** The span the gauges count, ending at the scrape. */
export const SKEW_METRICS_WINDOW_MS = 5 * 60_000

export interface ProjectSkewErrors {
  projectId: string
  counts: SkewErrorCount[]
  older: number
}

export async function skewErrorsByProject(at: number): Promise<ProjectSkewErrors[]> {
  const projects = await listProjects()
  return Promise.all(
    projects.map(async (p) => {
      const [counts, catalog] = await Promise.all([skewErrorCounts({ projectId: p.id, from: at - SKEW_METRICS_WINDOW_MS, to: at }), catalogFor(p.id)])
      const older = counts.filter((c) => isStale(catalog, c.version, at)).reduce((sum, c) => sum + c.events, 0)
      return { projectId: p.id, counts, older }
    }),
  )
}

export function skewErrorFamilies(projects: readonly ProjectSkewErrors[]): MetricFamily[] {
  const byCause: Sample[] = []
  const older: Sample[] = []
  for (const { projectId, counts, older: n } of projects) {
    const causes = new Map<string, number>()
    for (const c of counts) causes.set(c.cause, (causes.get(c.cause) ?? 0) + c.events)
    for (const [cause, value] of [...causes].sort(([a], [b]) => a.localeCompare(b))) byCause.push({ labels: { project: projectId, cause }, value })
    older.push({ labels: { project: projectId }, value: n })
  }
  return [
    { name: 'stalewatch_skew_errors_5m', help: 'Skew errors (code that failed to load in a tab) in the last 5 minutes, by project and cause (docs/skew-errors.md).', type: 'gauge', samples: byCause },
    { name: 'stalewatch_skew_errors_older_builds_5m', help: 'Of those, the skew errors from builds older than the latest release.', type: 'gauge', samples: older },
  ]
}
