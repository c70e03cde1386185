import http from 'node:http'

// The dashboard as a person's browser reaches it: log in with the admin
// token through the login form (CSRF cookie and field), then GET pages with
// the session cookie, timing each whole answer (server render with all its
// queries, through HTTP on loopback).

interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
  ms: number
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 })

/** `agent`: a viewer's own sockets (the twenty-viewers section); the shared four by default. */
export function request(url: string, options: { method?: string; headers?: Record<string, string>; body?: string; agent?: http.Agent } = {}): Promise<Answer> {
  const target = new URL(url)
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent: options.agent ?? agent, host: target.hostname, port: target.port, path: target.pathname + target.search, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: performance.now() - started }))
      },
    )
    req.on('error', reject)
    req.end(options.body)
  })
}

const cookiesOf = (headers: http.IncomingHttpHeaders) => (headers['set-cookie'] ?? []).map((c) => c.split(';')[0]!)

/** Logs in with the admin token as the login page's token form does; resolves to the Cookie header for the pages. */
export async function logIn(baseUrl: string, adminToken: string): Promise<string> {
  const page = await request(`${baseUrl}/login`)
  const csrfCookie = cookiesOf(page.headers).find((c) => c.startsWith('sw_csrf='))
  const field = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1]
  if (!csrfCookie || !field) throw new Error(`the login page gave no CSRF cookie or field (status ${page.status})`)
  const form = new URLSearchParams({ csrf: field, token: adminToken }).toString()
  const answer = await request(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(form)), cookie: csrfCookie, origin: baseUrl, host: new URL(baseUrl).host },
    body: form,
  })
  const session = cookiesOf(answer.headers).find((c) => c.startsWith('sw_session='))
  if (!session) throw new Error(`logging in failed (status ${answer.status}, location ${answer.headers.location ?? 'none'})`)
  return `${session}; ${csrfCookie}`
}

/** GETs a dashboard page; throws unless it rendered (200). */
export async function getPage(baseUrl: string, path: string, cookie: string, viewerAgent?: http.Agent): Promise<Answer> {
  const answer = await request(`${baseUrl}${path}`, { headers: { cookie }, agent: viewerAgent })
  if (answer.status !== 200) throw new Error(`${path} answered ${answer.status}${answer.headers.location ? ` → ${answer.headers.location}` : ''}`)
  return answer
}

/** The dashboard's pages for one project, as their links give them. */
export function dashboardPages(projectId: string, latestVersion: string | undefined, now: number): { page: string; path: string }[] {
  const q = `project=${encodeURIComponent(projectId)}`
  return [
    { page: 'overview', path: `/?${q}` },
    { page: 'releases', path: `/releases?${q}` },
    ...(latestVersion ? [{ page: 'release', path: `/releases/${encodeURIComponent(latestVersion)}?${q}` }] : []),
    { page: 'explorer (1 h)', path: `/explorer?${q}&from=${now - 3600_000}&to=${now}` },
    { page: 'explorer (24 h)', path: `/explorer?${q}&from=${now - 24 * 3600_000}&to=${now}` },
    { page: 'alerts', path: `/alerts?${q}` },
  ]
}
