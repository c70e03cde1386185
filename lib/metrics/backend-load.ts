import { backendLoadNow, type BackendLoadNow } from '../figures/backend-load/read-now'
import { listProjects } from '../projects/project-store'
import type { MetricFamily, Sample } from './exposition'

// Backend load by client version in /api/metrics: the figures of the latest
// minute whose counts have all arrived, read through the figure's own
// folder (the numbers the dashboard and the alerts see), and the aggregate
// endpoint's counters, handed over as plain data (lib/ does not import ingest/).

export interface AggregateIngestSnapshot {
  itemsAccepted: number
  /** Accepted items stored under `unknown` (a version the project does not know). */
  itemsRelabelled: number
  itemsRejectedByCode: ReadonlyMap<string, number>
  /** Whole requests refused (nothing stored), by error code. */
  requestsRefusedByCode: ReadonlyMap<string, number>
}

export interface ProjectBackendLoad {
  projectId: string
  load: BackendLoadNow
}

export async function backendLoadByProject(at: number): Promise<ProjectBackendLoad[]> {
  const projects = await listProjects()
  return Promise.all(projects.map(async (p) => ({ projectId: p.id, load: await backendLoadNow({ projectId: p.id, at, windowSeconds: p.livenessWindowSeconds }) })))
}

export function backendLoadFamilies(projects: readonly ProjectBackendLoad[]): MetricFamily[] {
  const requests: Sample[] = []
  const errors: Sample[] = []
  const reconnects: Sample[] = []
  const perTab: Sample[] = []
  const stale: Sample[] = []
  for (const { projectId, load } of projects) {
    stale.push({ labels: { project: projectId }, value: load.staleRequestsPerSecond })
    for (const v of load.versions) {
      const labels = { project: projectId, version: v.version }
      requests.push({ labels, value: v.requestsPerSecond })
      errors.push({ labels, value: v.serverErrorsPerSecond })
      reconnects.push({ labels, value: v.reconnectsPerMinute })
      // Undefined without a live tab: no sample rather than a made-up 0.
      if (v.requestsPerTab !== null) perTab.push({ labels, value: v.requestsPerTab })
    }
  }
  const minute = 'in the latest minute whose counts have all arrived (docs/backend-load.md)'
  return [
    { name: 'stalewatch_backend_requests_per_second', help: `Requests to the app's servers per second by project and client version, ${minute}.`, type: 'gauge', samples: requests },
    { name: 'stalewatch_backend_server_errors_per_second', help: `5xx answers per second by project and client version, ${minute}.`, type: 'gauge', samples: errors },
    { name: 'stalewatch_backend_reconnects_per_minute', help: `Socket reconnects by project and client version, ${minute}.`, type: 'gauge', samples: reconnects },
    {
      name: 'stalewatch_backend_requests_per_tab',
      help: `Requests per live tab of each version (live at the end of the minute), ${minute}; absent when none was live.`,
      type: 'gauge',
      samples: perTab,
    },
    { name: 'stalewatch_backend_stale_requests_per_second', help: `Requests per second from versions older than the latest release, per project, ${minute}.`, type: 'gauge', samples: stale },
  ]
}

const byCode = (counts: ReadonlyMap<string, number>, label: string): Sample[] =>
  [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([code, value]) => ({ labels: { [label]: code }, value }))

export function aggregateIngestFamilies(m: AggregateIngestSnapshot): MetricFamily[] {
  return [
    { name: 'stalewatch_ingest_aggregate_items_accepted_total', help: 'Aggregate items (one label set of one minute) stored.', type: 'counter', samples: [{ value: m.itemsAccepted }] },
    {
      name: 'stalewatch_ingest_aggregate_items_relabelled_total',
      help: 'Stored aggregate items whose version the project does not know, counted as unknown.',
      type: 'counter',
      samples: [{ value: m.itemsRelabelled }],
    },
    { name: 'stalewatch_ingest_aggregate_items_rejected_total', help: 'Aggregate items refused one by one, by code (the others of their request were stored).', type: 'counter', samples: byCode(m.itemsRejectedByCode, 'code') },
    { name: 'stalewatch_ingest_aggregate_requests_refused_total', help: 'Aggregate requests refused whole (nothing stored), by error code.', type: 'counter', samples: byCode(m.requestsRefusedByCode, 'code') },
  ]
}
