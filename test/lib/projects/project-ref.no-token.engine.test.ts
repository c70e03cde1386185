import { describe, expect, it } from 'vitest'
import { createProject } from '@/lib/projects/project-store'
import { useEngine } from '../../support/engine'

// The deploy routes name their project by id or name. Someone without a
// valid token must learn nothing from them: not whether a name exists, not
// the ids of the projects that share a name. The admin, and a caller holding
// a deploy token, still get the 404 or 409 that says what to fix.

useEngine()

type Handler = (request: Request, context?: unknown) => Promise<Response>

async function answers(credential: Record<string, string>, names: string[]): Promise<{ name: string; route: string; status: number; body: string }[]> {
  const releases = (await import('@/app/api/releases/route')) as unknown as { POST: Handler }
  const minimum = (await import('@/app/api/projects/[id]/min-supported/route')) as unknown as { PUT: Handler }
  const rollout = (await import('@/app/api/projects/[id]/rollout/route')) as unknown as { GET: Handler }
  const out = []
  for (const name of names) {
    const headers = { 'content-type': 'application/json', ...credential }
    const params = { params: Promise.resolve({ id: name }) }
    const tries: [string, Promise<Response>][] = [
      ['POST /api/releases', releases.POST(new Request('http://dash.test/api/releases', { method: 'POST', headers, body: JSON.stringify({ project: name, version: '1.2.3' }) }))],
      ['PUT min-supported', minimum.PUT(new Request(`http://dash.test/api/projects/${name}/min-supported`, { method: 'PUT', headers, body: JSON.stringify({ version: '1.2.3' }) }), params)],
      ['GET rollout', rollout.GET(new Request(`http://dash.test/api/projects/${name}/rollout`, { headers }), params)],
    ]
    for (const [route, answer] of tries) {
      const response = await answer
      out.push({ name, route, status: response.status, body: await response.text() })
    }
  }
  return out
}

describe('deploy routes and project names', () => {
  it('answer an existing, a missing and a duplicated name alike without a valid token, with no project ids', async () => {
    const suffix = Date.now().toString(36)
    const one = await createProject({ name: `shop-${suffix}` })
    const twins = [await createProject({ name: `twin-${suffix}` }), await createProject({ name: `twin-${suffix}` })]
    const names = [`shop-${suffix}`, `missing-${suffix}`, `twin-${suffix}`]
    for (const credential of [{}, { authorization: 'Bearer swd_not_a_real_token_0123456789' }] as Record<string, string>[]) {
      const seen = await answers(credential, names)
      const shapes = new Set(seen.map((a) => `${a.status} ${a.body}`))
      expect(shapes.size, seen.map((a) => `${a.route} ${a.name}: ${a.status} ${a.body}`).join('\n')).toBe(1)
      expect(seen[0]!.status).toBe(401)
      for (const a of seen) for (const p of [one, ...twins]) expect(a.body).not.toContain(p.id)
    }

    // With a deploy token, a mistyped name is still told apart, so CI can say what to fix.
    const withToken = await answers({ authorization: `Bearer ${one.deployToken}` }, [`missing-${suffix}`, `twin-${suffix}`])
    expect(withToken.filter((a) => a.name.startsWith('missing')).map((a) => a.status)).toEqual([404, 404, 404])
    expect(withToken.filter((a) => a.name.startsWith('twin')).map((a) => a.status)).toEqual([409, 409, 409])
  })
})
