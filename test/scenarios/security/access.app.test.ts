import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { handleIngest } from '@/ingest/events/pipeline'
import { ingestRuntime } from '@/ingest/events/runtime'
import { adminToken } from '@/lib/auth/admin-token'
import { credentialsOf, isAdminRequest } from '@/lib/auth/authorize'
import { CSRF_COOKIE, newCsrfToken } from '@/lib/auth/csrf'
import { hashPassword, verifyPassword, writePasswordFile, passwordFile } from '@/lib/auth/password'
import { issueSessionValue, SESSION_COOKIE } from '@/lib/auth/session-cookie'
import { resetConfigCache } from '@/lib/config'
import { sha256Hex } from '@/lib/ids'
import { invalidateProjectDirectory } from '@/lib/projects/directory-staleness'
import { runQuery } from '@/lib/store/run-query'
import { table } from '@/lib/store/tables'
import { adminFetch, startApp, type RunningApp } from '../../support/app-server'
import { useEngine, testProject } from '../../support/engine'
import { rawRequest } from '../../support/raw-http'
import { envelope, heartbeat } from '../../support/envelopes'
import { errorCode, ingestRequest } from '../../support/ingest-requests'

useEngine()

const root = path.resolve(import.meta.dirname, '../../..')
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
    resetConfigCache()
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
      resetConfigCache()
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

  it('requires Origin or the CSRF header on cookie-authenticated state changes', async () => {
    const session = issueSessionValue()
    const csrf = newCsrfToken()
    const cookies = { [SESSION_COOKIE]: session, [CSRF_COOKIE]: csrf }
    const admin = (init: Parameters<typeof req>[1]) => isAdminRequest(credentialsOf(req('/api/projects', init)))
    expect(await admin({ method: 'GET', cookies })).toBe(true)
    expect(await admin({ method: 'POST', cookies })).toBe(false)
    expect(await admin({ method: 'POST', cookies, headers: { origin: BASE } })).toBe(true)
    expect(await admin({ method: 'POST', cookies, headers: { origin: 'https://evil.example' } })).toBe(false)
    expect(await admin({ method: 'POST', cookies, headers: { 'x-csrf-token': csrf } })).toBe(true)
    expect(await admin({ method: 'POST', cookies, headers: { 'x-csrf-token': newCsrfToken() } })).toBe(false)
    expect(await admin({ method: 'POST', cookies, headers: { 'x-csrf-token': csrf, 'sec-fetch-site': 'cross-site' } })).toBe(false)
    expect(await admin({ method: 'POST', bearer: adminToken() })).toBe(true)
  })

  it('logout revokes the session on the server, and "log out everywhere" revokes every session', async () => {
    const login = (await import('@/app/api/auth/login/route')).POST
    const logout = (await import('@/app/api/auth/logout/route')).POST
    const projects = (await import('@/app/api/projects/route')).GET
    process.env.STALEWATCH_ADMIN_PASSWORD = 'the dashboard password'
    resetConfigCache()
    try {
      const csrf = newCsrfToken()
      const logIn = async () => {
        const answer = await login(req('/api/auth/login', { method: 'POST', body: form({ password: 'the dashboard password', csrf }), cookies: { [CSRF_COOKIE]: csrf } }))
        expect(answer.headers.get('location')).toBe('/')
        return new RegExp(`^${SESSION_COOKIE}=([^;]+)`).exec(answer.headers.get('set-cookie') ?? '')![1]!
      }
      const listWith = async (session: string) => (await projects(req('/api/projects', { cookies: { [SESSION_COOKIE]: session } }), undefined as never)).status
      const logOut = (session: string, fields: Record<string, string> = {}) =>
        logout(req('/api/auth/logout', { method: 'POST', body: form({ csrf, ...fields }), cookies: { [CSRF_COOKIE]: csrf, [SESSION_COOKIE]: session } }))

      // One session logs out: that cookie is dead even if kept, the other session lives.
      const [a, b] = [await logIn(), await logIn()]
      expect([await listWith(a), await listWith(b)]).toEqual([200, 200])
      expect((await logOut(a)).status).toBe(303)
      expect([await listWith(a), await listWith(b)]).toEqual([401, 200])

      // Everywhere: every session issued until now is dead; a new login works.
      const c = await logIn()
      expect((await logOut(c, { scope: 'everywhere' })).status).toBe(303)
      expect([await listWith(b), await listWith(c)]).toEqual([401, 401])
      const d = await logIn()
      expect(await listWith(d)).toBe(200)

      // "Everywhere" needs a live session: a visitor with only a CSRF cookie cannot log the admin out.
      const anonymous = await logout(req('/api/auth/logout', { method: 'POST', body: form({ csrf, scope: 'everywhere' }), cookies: { [CSRF_COOKIE]: csrf } }))
      expect(anonymous.status).toBe(401)
      expect(await listWith(d)).toBe(200)
    } finally {
      delete process.env.STALEWATCH_ADMIN_PASSWORD
      resetConfigCache()
    }
  })
})

const relative = (file: string) => path.relative(root, file).split(path.sep).join('/')

function filesNamed(dir: string, name: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? filesNamed(path.join(dir, d.name), name) : d.name === name ? [path.join(dir, d.name)] : [],
  )
}

/**
 * The only routes and pages anyone may call without a credential, and why.
 * Every other route.ts and page.tsx under app/ must answer an anonymous
 * caller 401 (pages: a redirect to /login): a new file that forgets its
 * guard fails here.
 */
const PUBLIC_ROUTES: Record<string, string> = {
  'app/api/ingest/route.ts': 'the ingest key, checked by the pipeline',
  'app/api/ingest/aggregates/route.ts': 'the server key, checked by the aggregate pipeline',
  'app/api/auth/login/route.ts': 'logging in',
  'app/api/auth/logout/route.ts': 'logging out (CSRF-checked)',
}
const PUBLIC_PAGES: Record<string, string> = {
  'app/login/page.tsx': 'the login form',
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const
type Handler = (request: Request, context: unknown) => Promise<Response>

const routeFiles = () => filesNamed(path.join(root, 'app'), 'route.ts')
const pageFiles = () => filesNamed(path.join(root, 'app'), 'page.tsx')

/**
 * The URL path a route or page file serves, with a sample value for each
 * dynamic segment; `[id]` is `projectId` when given, so a route that names an
 * unknown project with its 404 before judging the token (lib/http/route.ts
 * deployRoute) is asked about a real one.
 */
function urlPathOf(file: string, projectId?: string): string {
  const segments = relative(path.dirname(file))
    .split('/')
    .slice(1)
    .filter((s) => !/^\(.*\)$/.test(s))
    .map((s) => (s === '[chart]' ? 'live' : s === '[id]' && projectId ? projectId : s.replace(/^\[.*\]$/, 'x')))
  return '/' + segments.join('/')
}

async function routeHandlers(): Promise<{ file: string; method: string; handler: Handler }[]> {
  const out: { file: string; method: string; handler: Handler }[] = []
  for (const file of routeFiles()) {
    const mod = (await import(file)) as Partial<Record<(typeof METHODS)[number], Handler>>
    for (const method of METHODS) if (mod[method]) out.push({ file: relative(file), method, handler: mod[method] })
  }
  return out
}

/** Credentials that must all be refused: nothing, broken, forged, expired, or the wrong kind of secret. */
async function badCredentials(): Promise<{ label: string; headers: Record<string, string> }[]> {
  const other = await testProject('other')
  const forged = issueSessionValue().replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))
  return [
    { label: 'nothing', headers: {} },
    { label: 'malformed session cookie', headers: { cookie: `${SESSION_COOKIE}=%E0%A4%A` } },
    { label: 'session cookie of a lone %', headers: { cookie: `${SESSION_COOKIE}=%` } },
    { label: 'cookie header of junk', headers: { cookie: `=;=;${SESSION_COOKIE};;"%` } },
    { label: 'forged session cookie', headers: { cookie: `${SESSION_COOKIE}=${forged}` } },
    { label: 'expired session cookie', headers: { cookie: `${SESSION_COOKIE}=${issueSessionValue(Date.now() - 8 * 24 * 3600_000)}` } },
    { label: 'empty bearer', headers: { authorization: 'Bearer' } },
    { label: 'bearer of broken percent-encoding', headers: { authorization: 'Bearer %E0%A4%A' } },
    { label: 'basic auth', headers: { authorization: 'Basic Zm9vOmJhcg==' } },
    { label: 'huge bearer', headers: { authorization: `Bearer ${'x'.repeat(8000)}` } },
    { label: 'an ingest key', headers: { authorization: `Bearer ${other.ingestKey}` } },
    { label: 'a server key (aggregates only)', headers: { authorization: `Bearer ${other.serverKey}` } },
    { label: "another project's deploy token", headers: { authorization: `Bearer ${other.deployToken}` } },
  ]
}

describe('authorisation by construction', () => {
  it('every route handler goes through the one auth wrapper; only the allow-list is public', async () => {
    const { routeAccess } = await import('@/lib/http/route')
    const handlers = await routeHandlers()
    expect(handlers.length).toBeGreaterThanOrEqual(20)
    for (const { file, method, handler } of handlers) {
      const access = routeAccess(handler)
      expect(access, `${method} ${file} is not wrapped by lib/http/route.ts`).toBeDefined()
      expect(access === 'public', `${method} ${file}: ${access}`).toBe(file in PUBLIC_ROUTES)
    }
    for (const file of Object.keys(PUBLIC_ROUTES)) expect(handlers.some((h) => h.file === file), `${file} is on the allow-list but gone`).toBe(true)
  })

  it('every guarded route answers 401 to no, broken, forged, expired or wrong credentials, and logs no error for it', async () => {
    const p = await testProject('anon')
    const credentials = await badCredentials()
    const handlers = (await routeHandlers()).filter((h) => !(h.file in PUBLIC_ROUTES))
    const errors: string[] = []
    const write = process.stderr.write.bind(process.stderr)
    process.env.STALEWATCH_LOG_LEVEL = 'error'
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      if (String(chunk).includes('"level":"error"')) errors.push(String(chunk))
      return write(chunk, ...rest)
    }) as typeof process.stderr.write
    try {
      for (const { file, method, handler } of handlers) {
        for (const { label, headers } of credentials) {
          const url = `${urlPathOf(path.join(root, file))}?project=${p.id}&projectId=${p.id}`
          const body = method === 'GET' ? undefined : JSON.stringify({ project: p.id, name: 'pwned', version: 'v9', graceSeconds: 0 })
          const response = await handler(req(url, { method, body, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) } }), {
            params: Promise.resolve({ id: p.id, chart: 'live' }),
          })
          expect(response.status, `${method} ${file} with ${label}`).toBe(401)
          expect(errorCode(await response.json()), `${method} ${file} with ${label}`).toBe('unauthorized')
        }
      }
    } finally {
      process.stderr.write = write
      process.env.STALEWATCH_LOG_LEVEL = 'silent'
    }
    expect(errors).toEqual([])
    // The key still does what it is for.
    expect((await handleIngest(ingestRequest(envelope(p.ingestKey, 'v1', [heartbeat(Date.now())])), ingestRuntime().deps)).status).toBe(200)
  })

  it('every page but the login form sits under the one layout that requires the session', () => {
    const pages = pageFiles().map(relative)
    expect(pages.length).toBeGreaterThanOrEqual(5)
    const layout = 'app/(dashboard)/layout.tsx'
    expect(readFileSync(path.join(root, layout), 'utf8')).toMatch(/requireDashboardSession\(\)/)
    for (const page of pages) {
      if (page in PUBLIC_PAGES) continue
      expect(page.startsWith('app/(dashboard)/'), `${page} is outside app/(dashboard)/, so no layout guards it`).toBe(true)
    }
  })
})

describe('pages and routes over HTTP', () => {
  let app: RunningApp | undefined
  afterAll(async () => {
    await app?.stop()
  })

  it('redirect an anonymous, broken or revoked session to /login, and answer API calls 401, never 500', async () => {
    const password = 'an admin password for the pages'
    app = await startApp({ STALEWATCH_ADMIN_PASSWORD: password })
    const created = (await (await adminFetch(app, '/api/projects', { method: 'POST', body: JSON.stringify({ name: 'pages' }) })).json()) as { id: string }
    const login = await fetch(`${app.url}/login`)
    const csrf = /sw_csrf=([^;]+)/.exec(login.headers.getSetCookie().join('\n'))![1]!
    const logIn = async () => {
      const answer = await fetch(`${app!.url}/api/auth/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: `sw_csrf=${csrf}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ password, csrf }),
      })
      expect(answer.headers.get('location')).toBe('/')
      return /sw_session=([^;]+)/.exec(answer.headers.getSetCookie().join('\n'))![1]!
    }
    const revoked = await logIn()
    const live = await logIn()
    const logout = await fetch(`${app.url}/api/auth/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: `sw_csrf=${csrf}; sw_session=${revoked}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf }),
    })
    expect(logout.status).toBe(303)

    const refusedCookies = [undefined, `${SESSION_COOKIE}=%E0%A4%A`, `${SESSION_COOKIE}=%`, `${SESSION_COOKIE}=${revoked}`]
    for (const file of pageFiles()) {
      if (relative(file) in PUBLIC_PAGES) continue
      const page = `${urlPathOf(file)}?project=${created.id}`
      for (const cookie of refusedCookies) {
        const answer = await rawRequest({ url: app.url, path: page, headers: cookie ? { cookie } : {} })
        expect(answer.status, `${page} with ${cookie}`).toBe(307)
        expect(answer.headers.location, `${page} with ${cookie}`).toBe('/login')
      }
      const ok = await rawRequest({ url: app.url, path: page, headers: { cookie: `${SESSION_COOKIE}=${live}` } })
      expect(ok.status, `${page} with a live session`).toBe(200)
    }
    for (const file of routeFiles()) {
      if (relative(file) in PUBLIC_ROUTES) continue
      const route = `${urlPathOf(file, created.id)}?project=${created.id}`
      for (const cookie of refusedCookies) {
        const answer = await rawRequest({ url: app.url, path: route, headers: cookie ? { cookie } : {} })
        // A route without GET answers 405; every other answer is the 401.
        expect([401, 405], `GET ${route} with ${cookie}: ${answer.status} ${answer.body.slice(0, 100)}`).toContain(answer.status)
      }
    }
    expect(app.output()).not.toMatch(/"level":"error"/)
  }, 180_000)
})

describe('ingest keys and deploy tokens', () => {
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
