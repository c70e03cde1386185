import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { handleIngest } from '@/ingest/pipeline'
import { ingestRuntime } from '@/ingest/runtime'
import { adminToken } from '@/lib/auth/admin-token'
import { credentialsOf, isAdminRequest } from '@/lib/auth/authorize'
import { CSRF_COOKIE, newCsrfToken } from '@/lib/auth/csrf'
import { hashPassword, verifyPassword, writePasswordFile, passwordFile } from '@/lib/auth/password'
import { issueSessionValue, SESSION_COOKIE } from '@/lib/auth/session-cookie'
import { sha256Hex } from '@/lib/ids'
import { invalidateProjectDirectory } from '@/lib/projects/project-directory'
import { runQuery } from '@/lib/store/run-query'
import { table } from '@/lib/store/tables'
import { useEngine, testProject } from '../support/engine'
import { envelope, heartbeat } from '../support/envelopes'
import { errorCode, ingestRequest } from './helpers'

useEngine()

const root = path.resolve(import.meta.dirname, '../..')
const BASE = 'http://dash.test'

function req(pathname: string, init: RequestInit & { bearer?: string; cookies?: Record<string, string> } = {}): Request {
  const headers = new Headers(init.headers)
  if (init.bearer) headers.set('authorization', `Bearer ${init.bearer}`)
  if (init.cookies) headers.set('cookie', Object.entries(init.cookies).map(([k, v]) => `${k}=${v}`).join('; '))
  headers.set('host', 'dash.test')
  return new Request(BASE + pathname, { ...init, headers })
}

function form(fields: Record<string, string>): URLSearchParams {
  return new URLSearchParams(fields)
}

describe('dashboard password', () => {
  it('hashes with scrypt, verifies the right password only, and stores no plaintext', async () => {
    const hash = await hashPassword('correct horse battery')
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]+\$[\w-]+$/)
    expect(await verifyPassword('correct horse battery', hash)).toBe(true)
    expect(await verifyPassword('correct horse batterz', hash)).toBe(false)
    expect(await verifyPassword('', hash)).toBe(false)
    expect(await verifyPassword('x', 'scrypt$1$1$1$$')).toBe(false)
    expect(await verifyPassword('x', 'not a hash')).toBe(false)

    const file = await writePasswordFile('correct horse battery')
    expect(file).toBe(passwordFile())
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readFileSync(file, 'utf8')).not.toContain('correct horse')
  })

  it('npm run set-password has --help and writes the hash from --stdin', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'stalewatch-pw-'))
    const run = (args: string[], input?: string) =>
      spawnSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'scripts/set-password.ts', ...args], {
        cwd: root,
        input,
        encoding: 'utf8',
        env: { ...process.env, STALEWATCH_DATA_DIR: dataDir, STALEWATCH_ADMIN_PASSWORD: '' },
      })
    const help = run(['--help'])
    expect(help.status).toBe(0)
    expect(help.stdout).toMatch(/Usage: npm run set-password/)
    const short = run(['--stdin'], 'short\n')
    expect(short.status).not.toBe(0)
    expect(short.stderr).toMatch(/at least/)
    const ok = run(['--stdin'], 'a long enough password\n')
    expect(ok.status).toBe(0)
    const stored = readFileSync(path.join(dataDir, 'admin-password'), 'utf8')
    expect(stored).toMatch(/^scrypt\$/)
    expect(stored).not.toContain('long enough')
  })
})

describe('login and logout forms', () => {
  it('logs in with the password only when the CSRF field matches the cookie', async () => {
    const { POST } = await import('@/app/api/auth/login/route')
    process.env.STALEWATCH_ADMIN_PASSWORD = 'the dashboard password'
    try {
      const csrf = newCsrfToken()
      const good = await POST(req('/api/auth/login', { method: 'POST', body: form({ password: 'the dashboard password', csrf }), cookies: { [CSRF_COOKIE]: csrf } }))
      expect(good.status).toBe(303)
      expect(good.headers.get('location')).toBe('/')
      const cookie = good.headers.get('set-cookie') ?? ''
      expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=`))
      expect(cookie).toMatch(/HttpOnly/)
      expect(cookie).toMatch(/SameSite=Lax/)
      expect(cookie).not.toMatch(/Secure/)

      const secure = await POST(
        new Request('https://dash.test/api/auth/login', {
          method: 'POST',
          body: form({ password: 'the dashboard password', csrf }),
          headers: { cookie: `${CSRF_COOKIE}=${csrf}`, host: 'dash.test' },
        }),
      )
      expect(secure.headers.get('set-cookie')).toMatch(/Secure/)

      const wrong = await POST(req('/api/auth/login', { method: 'POST', body: form({ password: 'nope nope nope', csrf }), cookies: { [CSRF_COOKIE]: csrf } }))
      expect(wrong.headers.get('location')).toBe('/login?error=password')
      expect(wrong.headers.get('set-cookie')).toBeNull()

      const noCsrf = await POST(req('/api/auth/login', { method: 'POST', body: form({ password: 'the dashboard password' }), cookies: { [CSRF_COOKIE]: csrf } }))
      expect(noCsrf.headers.get('location')).toBe('/login?error=csrf')
      expect(noCsrf.headers.get('set-cookie')).toBeNull()

      const crossSite = await POST(
        req('/api/auth/login', {
          method: 'POST',
          body: form({ password: 'the dashboard password', csrf }),
          cookies: { [CSRF_COOKIE]: csrf },
          headers: { origin: 'https://evil.example' },
        }),
      )
      expect(crossSite.headers.get('set-cookie')).toBeNull()

      // Browsers send Origin: null under some referrer policies: the token decides.
      const nullOrigin = (fields: Record<string, string>) =>
        POST(req('/api/auth/login', { method: 'POST', body: form(fields), cookies: { [CSRF_COOKIE]: csrf }, headers: { origin: 'null' } }))
      expect((await nullOrigin({ password: 'the dashboard password', csrf })).headers.get('location')).toBe('/')
      expect((await nullOrigin({ password: 'the dashboard password' })).headers.get('location')).toBe('/login?error=csrf')
    } finally {
      delete process.env.STALEWATCH_ADMIN_PASSWORD
    }
  })

  it('logs out with the CSRF field or a same-origin Origin, and refuses a cross-site post', async () => {
    const { POST } = await import('@/app/api/auth/logout/route')
    const csrf = newCsrfToken()
    const session = issueSessionValue()
    const ok = await POST(req('/api/auth/logout', { method: 'POST', body: form({ csrf }), cookies: { [CSRF_COOKIE]: csrf, [SESSION_COOKIE]: session } }))
    expect(ok.status).toBe(303)
    expect(ok.headers.get('set-cookie')).toMatch(/Max-Age=0/)
    const sameOrigin = await POST(req('/api/auth/logout', { method: 'POST', body: form({}), headers: { origin: BASE } }))
    expect(sameOrigin.status).toBe(303)
    const forged = await POST(
      req('/api/auth/logout', { method: 'POST', body: form({ csrf: newCsrfToken() }), cookies: { [CSRF_COOKIE]: csrf, [SESSION_COOKIE]: session } }),
    )
    expect(forged.status).toBe(403)
    expect(errorCode(await forged.json())).toBe('csrf')
    const crossSite = await POST(req('/api/auth/logout', { method: 'POST', body: form({ csrf }), cookies: { [CSRF_COOKIE]: csrf }, headers: { origin: 'https://evil.example' } }))
    expect(crossSite.status).toBe(403)
  })

  it('requires Origin or the CSRF header on cookie-authenticated state changes', () => {
    const session = issueSessionValue()
    const csrf = newCsrfToken()
    const cookies = { [SESSION_COOKIE]: session, [CSRF_COOKIE]: csrf }
    const admin = (init: Parameters<typeof req>[1]) => isAdminRequest(credentialsOf(req('/api/projects', init)))
    expect(admin({ method: 'GET', cookies })).toBe(true)
    expect(admin({ method: 'POST', cookies })).toBe(false)
    expect(admin({ method: 'POST', cookies, headers: { origin: BASE } })).toBe(true)
    expect(admin({ method: 'POST', cookies, headers: { origin: 'https://evil.example' } })).toBe(false)
    expect(admin({ method: 'POST', cookies, headers: { 'x-csrf-token': csrf } })).toBe(true)
    expect(admin({ method: 'POST', cookies, headers: { 'x-csrf-token': newCsrfToken() } })).toBe(false)
    expect(admin({ method: 'POST', cookies, headers: { 'x-csrf-token': csrf, 'sec-fetch-site': 'cross-site' } })).toBe(false)
    expect(admin({ method: 'POST', bearer: adminToken() })).toBe(true)
  })
})

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? routeFiles(path.join(dir, d.name)) : d.name === 'route.ts' ? [path.join(dir, d.name)] : [],
  )
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const
type Handler = (request: Request, context: unknown) => Promise<Response>

describe('ingest keys and deploy tokens', () => {
  it('an ingest key or a server key authorizes no read or admin call: every API route answers it as it answers nobody', async () => {
    const p = await testProject('keys')
    const routes = routeFiles(path.join(root, 'app/api')).filter((f) => !/app\/api\/(ingest|auth)\//.test(f))
    expect(routes.map((f) => path.relative(root, f))).toEqual(
      expect.arrayContaining(['app/api/projects/route.ts', 'app/api/releases/route.ts', 'app/api/projects/[id]/rotate-key/route.ts', 'app/api/stats/live/route.ts']),
    )
    let checked = 0
    for (const file of routes) {
      const mod = (await import(file)) as Partial<Record<(typeof METHODS)[number], Handler>>
      for (const method of METHODS) {
        const handler = mod[method]
        if (!handler) continue
        const call = (bearer?: string) => {
          const url = `/api/x?project=${p.id}&projectId=${p.id}`
          const body = method === 'GET' ? undefined : JSON.stringify({ project: p.id, name: 'pwned', version: 'v9', graceSeconds: 0 })
          return handler(req(url, { method, body, bearer, headers: body ? { 'content-type': 'application/json' } : {} }), {
            params: Promise.resolve({ id: p.id, chart: 'live' }),
          })
        }
        const anonymous = await call()
        // Neither the public ingest key nor the secret server key (aggregates only) reads or administers anything.
        for (const key of [p.ingestKey, p.serverKey]) {
          const withKey = await call(key)
          const label = `${method} ${path.relative(root, file)} with ${key.slice(0, 4)}…`
          expect(withKey.status, label).toBeLessThan(500)
          if (anonymous.status >= 300) expect(withKey.status >= 200 && withKey.status < 300, label).toBe(false)
        }
        checked++
      }
    }
    expect(checked).toBeGreaterThanOrEqual(8)
    // The key still does what it is for.
    expect((await handleIngest(ingestRequest(envelope(p.ingestKey, 'v1', [heartbeat(Date.now())])), ingestRuntime().deps)).status).toBe(200)
  })

  it('deploy tokens are stored only as sha256 and authorize releases of their own project only', async () => {
    const [a, b] = [await testProject('deploy-a'), await testProject('deploy-b')]
    const [row] = await runQuery<{ deploy_token_hash: string; all: string }>(
      'test.deployHash',
      `SELECT deploy_token_hash, toJSONString(tuple(*)) AS all FROM ${table('projects')} FINAL WHERE id = {id:String}`,
      { id: a.id },
    )
    expect(row!.deploy_token_hash).toBe(sha256Hex(a.deployToken))
    expect(row!.all).not.toContain(a.deployToken)

    const releases = await import('@/app/api/releases/route')
    const register = (bearer: string, project: string) =>
      releases.POST(
        req('/api/releases', { method: 'POST', bearer, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ project, version: 'v2' }) }),
        undefined as never,
      )
    expect((await register(a.deployToken, a.id)).status).toBe(201)
    expect((await register(a.deployToken, b.id)).status).toBe(401)
    expect((await register(a.ingestKey, a.id)).status).toBe(401)
    const projects = await import('@/app/api/projects/route')
    expect((await projects.GET(req('/api/projects', { bearer: a.deployToken }), undefined as never)).status).toBe(401)
  })

  it('rotating a key keeps the old one valid for the grace period, then refuses it', async () => {
    const p = await testProject('rotate')
    const { POST } = await import('@/app/api/projects/[id]/rotate-key/route')
    const rotate = (graceSeconds?: number, bearer = adminToken()) =>
      POST(
        req(`/api/projects/${p.id}/rotate-key`, {
          method: 'POST',
          bearer,
          headers: graceSeconds === undefined ? {} : { 'content-type': 'application/json' },
          body: graceSeconds === undefined ? undefined : JSON.stringify({ graceSeconds }),
        }),
        { params: Promise.resolve({ id: p.id }) } as never,
      )
    expect((await rotate(undefined, p.ingestKey)).status).toBe(401)

    const first = await rotate()
    expect(first.status).toBe(200)
    const rotated = (await first.json()) as { ingestKey: string; previousKey: string; previousKeyExpiresAt: number }
    expect(rotated.previousKey).toBe(p.ingestKey)
    expect(rotated.ingestKey).not.toBe(p.ingestKey)
    expect(rotated.previousKeyExpiresAt).toBeGreaterThan(Date.now() + 23 * 3600_000)

    const send = (key: string) => handleIngest(ingestRequest(envelope(key, 'v1', [heartbeat(Date.now())])), ingestRuntime().deps)
    expect((await send(p.ingestKey)).status).toBe(200)
    expect((await send(rotated.ingestKey)).status).toBe(200)

    // Rotating again with no grace: the key just replaced stops at once; the first one keeps its grace.
    const second = (await (await rotate(0)).json()) as { ingestKey: string }
    invalidateProjectDirectory()
    expect((await send(rotated.ingestKey)).status).toBe(401)
    expect((await send(second.ingestKey)).status).toBe(200)
    expect((await send(p.ingestKey)).status).toBe(200)

    const bad = await rotate(-5)
    expect(bad.status).toBe(400)
    const missing = await POST(req('/api/projects/p_nope/rotate-key', { method: 'POST', bearer: adminToken() }), { params: Promise.resolve({ id: 'p_nope' }) } as never)
    expect(missing.status).toBe(404)
  })
})
