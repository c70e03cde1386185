import { expect } from 'vitest'
import { adminFetch, type RunningApp } from './app-server'

// The admin calls browser tests make against a running app: projects,
// releases, the minimum supported version, and the figures users read.

export interface TestProject {
  id: string
  ingestKey: string
  deployToken: string
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
    setMinSupported: async (project: TestProject, version: string): Promise<void> =>
      void (await ok(await deploy(project, 'PUT', `/api/projects/${project.id}/min-supported`, { version }))),
    /** Live sessions now, or at the instant `at` (epoch ms) given what is stored so far. */
    live: async (project: TestProject, at?: number): Promise<Live> =>
      ok(await adminFetch(app, `/api/stats/live?project=${project.id}${at === undefined ? '' : `&at=${at}`}`)),
    releaseFigures: async (project: TestProject, version: string): Promise<ReleaseFigures | undefined> => {
      const { releases } = await ok<{ releases: ReleaseFigures[] }>(await adminFetch(app, `/api/stats/releases?project=${project.id}`))
      return releases.find((r) => r.version === version)
    },
  }
}
