import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminFetch, startApp, type RunningApp } from '../../support/app-server'
import { envelope, heartbeat, post } from '../../support/envelopes'

// The whole product, as `npm start` runs it, in a child process.
let app: RunningApp

beforeAll(async () => {
  app = await startApp()
}, 300_000)
afterAll(async () => {
  await app?.stop()
})

interface Created {
  id: string
  name: string
  ingestKey: string
  deployToken: string
}

async function createProject(name: string): Promise<Created> {
  const res = await adminFetch(app, '/api/projects', { method: 'POST', body: JSON.stringify({ name }) })
  expect(res.status).toBe(201)
  return (await res.json()) as Created
}

describe('admin API', () => {
  it('refuses every admin call without the admin token, with a JSON error', async () => {
    for (const path of ['/api/projects', '/api/stats/live?project=x', '/api/releases?project=x']) {
      const res = await fetch(new URL(path, app.url))
      expect(res.status).toBe(401)
      expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } })
    }
  })

  it('creates and lists projects; the deploy token is shown once', async () => {
    const created = await createProject('shop')
    expect(created.id).toMatch(/^p_/)
    const list = (await (await adminFetch(app, '/api/projects')).json()) as { projects: Record<string, unknown>[] }
    const listed = list.projects.find((p) => p.id === created.id)
    expect(listed).toMatchObject({ name: 'shop', ingestKey: created.ingestKey })
    expect(JSON.stringify(list)).not.toContain(created.deployToken)
  })

  it('400 naming the field for a bad project', async () => {
    const res = await adminFetch(app, '/api/projects', { method: 'POST', body: JSON.stringify({ name: '' }) })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^name:/)
  })

  it('registers releases with the deploy token, not with the ingest key, and feeds the ingest answer', async () => {
    const project = await createProject('releases')
    const release = (token: string, body: object) =>
      fetch(new URL('/api/releases', app.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ project: project.id, ...body }),
      })
    expect((await release(project.ingestKey, { version: 'v1' })).status).toBe(401)
    const created = await release(project.deployToken, { version: 'v1', releasedAt: '2026-01-01T00:00:00Z', commit: 'abc123' })
    expect(created.status).toBe(201)
    expect(await created.json()).toMatchObject({ version: 'v1', releasedAt: Date.parse('2026-01-01T00:00:00Z'), commit: 'abc123' })
    expect((await release(project.deployToken, { version: 'v2' })).status).toBe(201)
    const bad = await release(project.deployToken, { version: 'v3', releasedAt: 'yesterday-ish' })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^releasedAt:/)

    const listed = (await (await adminFetch(app, `/api/releases?project=${project.id}`)).json()) as { releases: { version: string }[] }
    expect(listed.releases.map((r) => r.version)).toEqual(['v1', 'v2'])

    const setMin = await fetch(new URL(`/api/projects/${project.id}/min-supported`, app.url), {
      method: 'PUT',
      headers: { authorization: `Bearer ${project.deployToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ version: 'v2' }),
    })
    expect(setMin.status).toBe(200)

    const answer = await post(`${app.url}/api/ingest`, envelope(project.ingestKey, 'v1', [heartbeat(Date.now())]), 'text/plain')
    expect(answer.status).toBe(200)
    expect(answer.json).toMatchObject({ accepted: 1, latest: 'v2', minSupported: 'v2', belowMinimum: true })
  })

  it('/api/stats/live shows what was ingested', async () => {
    const project = await createProject('live')
    const now = Date.now()
    for (const [version, visibility] of [['a1', 'visible'], ['a1', 'hidden'], ['b2', 'visible']] as const) {
      const res = await post(`${app.url}/api/ingest`, envelope(project.ingestKey, version, [heartbeat(now - 1000, visibility)]))
      expect(res.status).toBe(200)
    }
    const res = await adminFetch(app, `/api/stats/live?project=${project.id}&at=${now}`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      at: now,
      windowSeconds: 180,
      total: 3,
      versions: [
        { version: 'a1', sessions: 2, visible: 1, hidden: 1 },
        { version: 'b2', sessions: 1, visible: 1, hidden: 0 },
      ],
    })
    const missing = await adminFetch(app, '/api/stats/live')
    expect(missing.status).toBe(400)
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/^project:/)
  })
})
