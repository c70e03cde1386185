import { expect } from 'vitest'
import { adminFetch, type RunningApp } from './app-server'

// The admin calls browser tests make against a running app: projects,
// releases, the minimum supported version, and the figures users read.

export interface TestProject {
  id: string
  ingestKey: string
  deployToken: string
  /** Only in the answer that created the project (sws_…). */
  serverKey?: string
}

export interface LiveVersion {
  version: string
  sessions: number
  visible: number
  hidden: number
}

export interface Live {
  windowSeconds: number
  total: number
  versions: LiveVersion[]
}

export interface ReleaseFigures {
  version: string
  upgradedByReload: { total: number; byReason: { reason: string; sessions: number }[] }
}

/** GET /api/projects/:id/min-supported/preview (docs/rollout.md). */
export interface Preview {
  version: string
  at: number
  current: string | null
  tabs: { total: number; visible: number; hidden: number; idle: number; unsaved: number; byAge: { label: string; tabs: number }[] }
  reloadsPerMinute: number
  leadSeconds: number
  startsAt: number
  projectedEndAt: number | null
}

/** GET /api/projects/:id/rollout: the minimum, its wave and the audit log. */
export interface Rollout {
  minSupported: string | null
  settings: { reloadsPerMinute: number; leadSeconds: number }
  wave: null | {
    minimum: string
    startsAt: number
    paused: boolean
    causes: { cause: string; summary: string }[]
    granted: number
    landed: number
    lastGrantAt: number | null
    perMinute: { minute: number; granted: number }[]
  }
  /** detail: the preview a change of the minimum was made on, or a pause's causes. */
  audit: { id: string; action: string; actor: string; at: number; from: string | null; to: string | null; detail: unknown; outcome: Record<string, unknown> | null }[]
}

async function ok<T>(res: Response, status = 200): Promise<T> {
  const body = await res.text()
  expect(res.status, body).toBe(status)
  return JSON.parse(body) as T
}

export function stalewatchAdmin(app: RunningApp) {
  const deploy = (project: TestProject, method: string, pathname: string, body: object) =>
    fetch(new URL(pathname, app.url), {
      method,
      headers: { authorization: `Bearer ${project.deployToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  return {
    createProject: async (name: string): Promise<TestProject> =>
      ok(await adminFetch(app, '/api/projects', { method: 'POST', body: JSON.stringify({ name }) }), 201),
    /** Register a release with the project's deploy token, as CI does. */
    release: async (project: TestProject, version: string): Promise<void> =>
      void (await ok(await deploy(project, 'POST', '/api/releases', { project: project.id, version }), 201)),
    /** Set (or with null clear) the minimum supported version with the deploy token, as CI does. */
    setMinSupported: async (project: TestProject, version: string | null): Promise<void> =>
      void (await ok(await deploy(project, 'PUT', `/api/projects/${project.id}/min-supported`, { version }))),
    preview: async (project: TestProject, version: string): Promise<Preview> =>
      ok(await adminFetch(app, `/api/projects/${project.id}/min-supported/preview?version=${encodeURIComponent(version)}`)),
    rollout: async (project: TestProject): Promise<Rollout> => ok(await adminFetch(app, `/api/projects/${project.id}/rollout`)),
    rolloutSettings: async (project: TestProject, settings: { reloadsPerMinute?: number; leadSeconds?: number }): Promise<void> =>
      void (await ok(await adminFetch(app, `/api/projects/${project.id}/rollout/settings`, { method: 'PUT', body: JSON.stringify(settings) }))),
    /** Live sessions now, or at the instant `at` (epoch ms) given what is stored so far. */
    live: async (project: TestProject, at?: number): Promise<Live> =>
      ok(await adminFetch(app, `/api/stats/live?project=${project.id}${at === undefined ? '' : `&at=${at}`}`)),
    releaseFigures: async (project: TestProject, version: string): Promise<ReleaseFigures | undefined> => {
      const { releases } = await ok<{ releases: ReleaseFigures[] }>(await adminFetch(app, `/api/stats/releases?project=${project.id}`))
      return releases.find((r) => r.version === version)
    },
  }
}
