import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminFetch, startApp, type RunningApp } from '../../support/app-server'
import { envelope, heartbeat } from '../../support/envelopes'
import { rawRequest } from '../../support/raw-http'

// Wrong passwords in flight must not take ingest or the pages down with them:
// scrypt costs ~32 MiB and tens of ms of a libuv thread per attempt, so an
// unlimited login is a lever on the whole process. The app runs with the
// product's defaults for acknowledgement and shedding. The figures (ingest
// answers and latency with and without the flood) are printed for the
// record; what is asserted is what bounds them: how many attempts were hashed.
// The flood comes from its own address (127.0.0.66), the ingest senders and
// the page loader from 127.0.0.1; loopback is limited like any address here,
// so the front door's per-address limit on pages and API
// (STALEWATCH_HTTP_RATE_PER_IP) meets the flood before Next.js does.
const FLOOD_ADDRESS = '127.0.0.66'

const PASSWORD = 'the real dashboard password'
const FLOOD_SENDERS = 32
const PHASE_MS = 4000
let app: RunningApp
let key: string

beforeAll(async () => {
  app = await startApp({
    STALEWATCH_ADMIN_PASSWORD: PASSWORD,
    STALEWATCH_INGEST_ACK: 'logged',
    STALEWATCH_SHED_LOOP_DELAY_MS: '50',
    STALEWATCH_RATE_LIMIT_LOOPBACK: '1',
    // The six ingest senders share 127.0.0.1: ingest's own per-address limit is not what this measures.
    STALEWATCH_RATE_PER_IP: '100000',
  })
  const created = await adminFetch(app, '/api/projects', { method: 'POST', body: JSON.stringify({ name: 'login-flood' }) })
  key = ((await created.json()) as { ingestKey: string }).ingestKey
})

afterAll(async () => {
  await app?.stop()
})

interface Tally {
  statuses: Map<string, number>
  latencies: number[]
}

const tally = (): Tally => ({ statuses: new Map(), latencies: [] })
const count = (t: Tally, label: string) => t.statuses.set(label, (t.statuses.get(label) ?? 0) + 1)
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : NaN
}
const describeTally = (t: Tally) =>
  `${[...t.statuses].map(([s, n]) => `${s}: ${n}`).join(', ')}; p50 ${quantile(t.latencies, 0.5).toFixed(1)} ms, p99 ${quantile(t.latencies, 0.99).toFixed(1)} ms`

async function ingestFor(ms: number, senders = 6): Promise<Tally> {
  const t = tally()
  const end = Date.now() + ms
  await Promise.all(
    Array.from({ length: senders }, async () => {
      while (Date.now() < end) {
        const started = performance.now()
        const response = await fetch(`${app.url}/api/ingest`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: JSON.stringify(envelope(key, 'v1', Array.from({ length: 20 }, () => heartbeat(Date.now())))),
        })
        await response.arrayBuffer()
        t.latencies.push(performance.now() - started)
        count(t, String(response.status))
      }
    }),
  )
  return t
}

async function pageLoads(ms: number): Promise<Tally> {
  const t = tally()
  const end = Date.now() + ms
  while (Date.now() < end) {
    const started = performance.now()
    const response = await fetch(`${app.url}/login`)
    await response.arrayBuffer()
    t.latencies.push(performance.now() - started)
    count(t, String(response.status))
  }
  return t
}

/** 32 senders of login posts; `withCsrf: false` sends no CSRF field, refused before any limit or hash: the cost of the requests alone. */
async function wrongPasswords(ms: number, withCsrf = true): Promise<Tally> {
  const login = await rawRequest({ url: app.url, path: '/login', localAddress: FLOOD_ADDRESS })
  const csrf = withCsrf ? /sw_csrf=([^;]+)/.exec(String(login.headers['set-cookie'] ?? ''))![1]! : 'none'
  const t = tally()
  const end = Date.now() + ms
  await Promise.all(
    Array.from({ length: FLOOD_SENDERS }, async (_, i) => {
      while (Date.now() < end) {
        const started = performance.now()
        const response = await rawRequest({
          url: app.url,
          path: '/api/auth/login',
          method: 'POST',
          localAddress: FLOOD_ADDRESS,
          headers: { cookie: `sw_csrf=${csrf}`, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ password: `wrong guess ${i} ${Math.random()}`, csrf }).toString(),
        })
        t.latencies.push(performance.now() - started)
        // A 303 to ?error=password means the guess was hashed and checked; a
        // 429 is the login limit's or, before Next.js, the front door's.
        const location = String(response.headers.location ?? '')
        count(t, response.status === 303 ? `303 ${location.replace(/^.*error=/, '')}` : String(response.status))
        if (response.status === 429) await new Promise((r) => setTimeout(r, 10))
      }
    }),
  )
  return t
}

describe('login under a flood of wrong passwords', () => {
  it('hashes only the attempts the limits allow, and answers the rest 429 with Retry-After', async () => {
    const [baselineIngest, baselinePages] = await Promise.all([ingestFor(PHASE_MS), pageLoads(PHASE_MS)])
    const [floodIngest, floodPages, flood] = await Promise.all([ingestFor(PHASE_MS), pageLoads(PHASE_MS), wrongPasswords(PHASE_MS)])
    const [controlIngest, controlPages, control] = await Promise.all([ingestFor(PHASE_MS), pageLoads(PHASE_MS), wrongPasswords(PHASE_MS, false)])
    console.log(
      [
        `ingest without the flood: ${describeTally(baselineIngest)}`,
        `ingest with ${FLOOD_SENDERS} wrong passwords in flight: ${describeTally(floodIngest)}`,
        `ingest with ${FLOOD_SENDERS} senders of login posts refused for CSRF (no hashing ever): ${describeTally(controlIngest)}`,
        `login page without the flood: ${describeTally(baselinePages)}`,
        `login page with the flood: ${describeTally(floodPages)}`,
        `login page with the CSRF-refused posts: ${describeTally(controlPages)}`,
        `login attempts: ${describeTally(flood)}`,
        `CSRF-refused posts: ${describeTally(control)}`,
      ].join('\n'),
    )
    expect(control.statuses.get('303 password') ?? 0).toBe(0)
    const hashed = flood.statuses.get('303 password') ?? 0
    // One address: its burst of 5 attempts a minute, plus at most one refilled in 4 s.
    expect(hashed).toBeGreaterThan(0)
    expect(hashed).toBeLessThanOrEqual(6)
    expect(flood.statuses.get('429') ?? 0).toBeGreaterThan(0)

    // A browser sent back to the login page is told how long to wait.
    const page = await (await fetch(`${app.url}/login?error=rate_limited&retry=42`)).text()
    expect(page).toContain('Too many login attempts. Try again in 42 seconds.')
  }, 120_000)
})
