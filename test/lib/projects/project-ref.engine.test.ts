import { describe, expect, it } from 'vitest'
import { adminToken } from '@/lib/auth/admin-token'
import { createProject } from '@/lib/projects/project-store'
import { useEngine, testProject } from '../../support/engine'

// CI scripts and people name a project by its name as often as by its id
// (`p_…`): every route that takes a project accepts either. A project that does
// not exist is a 404 naming it, whatever the token, never a 401 that blames a
// deploy token which is fine.

useEngine()

const BASE = 'http://dash.test'
const none = undefined as never

function req(pathname: string, init: RequestInit & { bearer?: string } = {}): Request {
  const headers = new Headers(init.headers)
  if (init.bearer) headers.set('authorization', `Bearer ${init.bearer}`)
  if (init.body) headers.set('content-type', 'application/json')
  headers.set('host', 'dash.test')
  return new Request(BASE + pathname, { ...init, headers })
}

const params = (id: string) => ({ params: Promise.resolve({ id }) })

async function answer(res: Response): Promise<{ status: number; body: { error?: { code: string; message: string } } & Record<string, unknown> }> {
  return { status: res.status, body: (await res.json()) as never }
}

describe('a project by its name or its id', () => {
  it('registers a release, sets and reads the minimum, lists releases and reads stats by name, as by id', async () => {
    const p = await testProject('by-name')
    const releases = await import('@/app/api/releases/route')
    const minimum = await import('@/app/api/projects/[id]/min-supported/route')
    const live = await import('@/app/api/stats/live/route')

    const registered = await answer(
      await releases.POST(req('/api/releases', { method: 'POST', bearer: p.deployToken, body: JSON.stringify({ project: p.name, version: 'v1' }) }), none),
    )
    expect(registered).toMatchObject({ status: 201, body: { project: p.id, version: 'v1' } })
    expect(
      await answer(await releases.POST(req('/api/releases', { method: 'POST', bearer: p.deployToken, body: JSON.stringify({ project: p.id, version: 'v2' }) }), none)),
    ).toMatchObject({ status: 201, body: { project: p.id, version: 'v2' } })

    const listed = await answer(await releases.GET(req(`/api/releases?project=${encodeURIComponent(p.name)}`, { bearer: adminToken() }), none))
    expect(listed.status).toBe(200)
    expect((listed.body.releases as { version: string }[]).map((r) => r.version)).toEqual(['v1', 'v2'])

    const set = await answer(
      await minimum.PUT(req(`/api/projects/${encodeURIComponent(p.name)}/min-supported`, { method: 'PUT', bearer: p.deployToken, body: JSON.stringify({ version: 'v2' }) }), params(p.name)),
    )
    expect(set).toMatchObject({ status: 200, body: { project: p.id, minSupported: 'v2' } })
    const read = await answer(await minimum.GET(req(`/api/projects/${p.name}/min-supported`, { bearer: adminToken() }), params(p.name)))
    expect(read).toMatchObject({ status: 200, body: { project: p.id, minSupported: 'v2' } })

    const stats = await answer(await live.GET(req(`/api/stats/live?project=${encodeURIComponent(p.name)}`, { bearer: adminToken() }), none))
    expect(stats).toMatchObject({ status: 200, body: { total: 0 } })
  })

  it('answers 404 unknown_project for a project that does not exist, with a deploy token or the admin token; 401 to no token, which learns nothing of names', async () => {
    const p = await testProject('unknown-check')
    const releases = await import('@/app/api/releases/route')
    const minimum = await import('@/app/api/projects/[id]/min-supported/route')
    for (const bearer of [p.deployToken, adminToken()]) {
      const release = await answer(
        await releases.POST(req('/api/releases', { method: 'POST', bearer, body: JSON.stringify({ project: 'no-such-shop', version: 'v1' }) }), none),
      )
      expect(release, `POST /api/releases with ${bearer ? bearer.slice(0, 4) : 'no token'}`).toEqual({
        status: 404,
        body: { error: { code: 'unknown_project', message: expect.stringContaining('"no-such-shop"') } },
      })
      const min = await answer(
        await minimum.PUT(req('/api/projects/no-such-shop/min-supported', { method: 'PUT', bearer, body: JSON.stringify({ version: 'v1' }) }), params('no-such-shop')),
      )
      expect(min.status, `PUT min-supported with ${bearer ? bearer.slice(0, 4) : 'no token'}`).toBe(404)
    }
    const anonymous = await answer(
      await releases.POST(req('/api/releases', { method: 'POST', body: JSON.stringify({ project: 'no-such-shop', version: 'v1' }) }), none),
    )
    expect(anonymous.status).toBe(401)
  })

  it('still refuses a real project without its deploy token: 401 for a wrong token, by name as by id', async () => {
    const [a, b] = [await testProject('owner-a'), await testProject('owner-b')]
    const releases = await import('@/app/api/releases/route')
    for (const project of [b.name, b.id]) {
      const res = await releases.POST(req('/api/releases', { method: 'POST', bearer: a.deployToken, body: JSON.stringify({ project, version: 'v1' }) }), none)
      expect(res.status).toBe(401)
    }
  })

  it('refuses a name two projects share with 409 and their ids, and takes the id', async () => {
    const name = `twin-${Date.now()}`
    const [one, two] = [await createProject({ name }), await createProject({ name })]
    const releases = await import('@/app/api/releases/route')
    const twice = await answer(
      await releases.POST(req('/api/releases', { method: 'POST', bearer: one.deployToken, body: JSON.stringify({ project: name, version: 'v1' }) }), none),
    )
    expect(twice.status).toBe(409)
    expect(twice.body.error).toMatchObject({ code: 'ambiguous_project' })
    expect(twice.body.error!.message).toContain(one.id)
    expect(twice.body.error!.message).toContain(two.id)
    const byId = await releases.POST(req('/api/releases', { method: 'POST', bearer: two.deployToken, body: JSON.stringify({ project: two.id, version: 'v1' }) }), none)
    expect(byId.status).toBe(201)
  })
})
