// npm run simulate -- --help
//
// Fills a running Stalewatch with realistic traffic: registers releases,
// back-fills a few hours of history through the real ingest endpoint, then
// keeps the simulated tabs heartbeating live until Ctrl-C. With --backend the
// live tabs also use a simulated app server through the real backend-load
// middleware; --storm replays the reconnect storm of issue 17 instead
// (scripts/simulate/storm.ts).

import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import type { IngestAnswer, IngestEnvelope } from '../sdk/src/wire'
import { readSetting } from '../lib/config'
import {
  LoadBatcher,
  SIMULATOR_DEFAULTS,
  latestVersionAt,
  batchToEnvelope,
  fakeCommit,
  generateTimeline,
  hash32,
  planReleases,
  toIngestEnvelope,
  type LoadBatch,
  type SimEnvelope,
  type SimulatorOptions,
} from './simulator/index'
import { SimBackend, WELL_BEHAVED, misbehaving } from './simulator/backend/index'
import { simulatorServerKey, ServerKeyError } from './simulate/server-key'
import { runStorm, StormError } from './simulate/storm'

const HELP = `Simulate browser tabs sending traffic to a running Stalewatch.

Usage: npm run simulate -- [options]

  --url URL            server to send to (default http://localhost:3000)
  --key KEY            ingest key of the project to fill
  --project ID         project id (needed to register releases; looked up from --key if absent)
  --sessions N         tabs over the back-filled history (default 300)
  --hours H            hours of history to back-fill (default 2); the server refuses
                       events older than its STALEWATCH_EVENT_MAX_AGE_HOURS (default 24)
  --releases R         releases to register (default 3): one before the history,
                       the rest inside it, the last about 20 minutes ago
  --admin-token T      admin token (default: $STALEWATCH_ADMIN_TOKEN, else
                       <$STALEWATCH_DATA_DIR or ./data>/admin-token)
  --no-live            stop after the back-fill instead of sending live heartbeats
  --seed N             random seed (default: random; printed so a run can be repeated)
  --skew F             share of clients with a wrong clock, 0..1 (default 0.05)
  --concurrency N      requests in flight during the back-fill (default 8)
  -h, --help           show this help

Backend load (docs/backend-load.md):
  --backend            during the live phase, the open tabs also poll a simulated
                       app server (started here, on loopback) and hold a socket to it;
                       the real server middleware counts their requests by version and
                       sends the counts to Stalewatch with the project's server key
  --misbehave F        tabs on versions older than the latest poll F times as often,
                       reconnect their socket at once and every second instead of
                       backing off, and poll as a fallback while it is down (default 1:
                       behave; 6 with --storm)
  --server-key KEY     the project's server key (sws_…); without it the admin token
                       rotates the project's server key (the old one keeps working 1 h)
  --storm              replay the incident of issue 17 instead of the usual traffic:
                       --sessions tabs (default 120) on three registered builds, 30 %
                       of them on a two-day-old build, mostly background tabs; all poll
                       the simulated app server and hold a socket. After --calm seconds
                       the backend blips: every socket drops at once and the backend
                       refuses for --blip seconds. The old build reconnects at once and
                       every second (a reconnect storm), the others back off. A
                       reconnect_storm alert rule is created for the project; the run
                       prints, a line a minute, what the app server served by build, and
                       when the alert fires. Exits 1 if it never fired. Needs the admin token.
  --calm S             seconds before the blip (default 90)
  --blip S             seconds the backend is down (default 75)
  --after S            seconds after the blip (default 120)
  --alert-url URL      where the storm rule notifies (default: a receiver in this process
                       on 127.0.0.1, which Stalewatch reaches only when started with
                       STALEWATCH_WEBHOOK_ALLOWED_NETWORKS=127.0.0.1/32)

Without --key the admin token is used to find or create a project named "demo".
The server must be running: start it with \`npm run dev\` in another terminal.

Examples:
  npm run simulate
  npm run simulate -- --sessions 2000 --hours 6 --releases 5 --no-live
  npm run simulate -- --backend --misbehave 5
  npm run simulate -- --storm
  npm run simulate -- --url https://stalewatch.example.com --key sw_ingest_123 --project 42`

const LIVE_HORIZON_MS = 24 * 3_600_000
const LIVENESS_MS = 3 * 60_000

class Fatal extends Error {}

// ---- arguments --------------------------------------------------------------

interface Args {
  url: string
  key?: string
  project?: string
  sessions: number
  hours: number
  releases: number
  adminToken?: string
  live: boolean
  seed: number
  skew: number
  concurrency: number
  backend: boolean
  misbehave: number
  serverKey?: string
  storm: boolean
  calm: number
  blip: number
  after: number
  alertUrl?: string
}

function parse(argv: string[]): Args | null {
  let values
  try {
    ;({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        url: { type: 'string', default: 'http://localhost:3000' },
        key: { type: 'string' },
        project: { type: 'string' },
        sessions: { type: 'string', default: '300' },
        hours: { type: 'string', default: '2' },
        releases: { type: 'string', default: '3' },
        'admin-token': { type: 'string' },
        'no-live': { type: 'boolean', default: false },
        seed: { type: 'string' },
        skew: { type: 'string', default: '0.05' },
        concurrency: { type: 'string', default: '8' },
        backend: { type: 'boolean', default: false },
        misbehave: { type: 'string' },
        'server-key': { type: 'string' },
        storm: { type: 'boolean', default: false },
        calm: { type: 'string', default: '90' },
        blip: { type: 'string', default: '75' },
        after: { type: 'string', default: '120' },
        'alert-url': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }))
  } catch (err) {
    throw new Fatal(`${(err as Error).message}\nRun with --help for the options.`)
  }
  if (values.help) return null
  const num = (name: string, raw: string, ok: (n: number) => boolean, what: string) => {
    const n = Number(raw)
    if (raw.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new Fatal(`--${name} must be ${what}, got "${raw}"`)
    return n
  }
  let url: URL
  try {
    url = new URL(values.url)
  } catch {
    throw new Fatal(`--url is not a URL: "${values.url}"`)
  }
  const storm = values.storm
  const seconds = (name: string, raw: string) => num(name, raw, (n) => n >= 0 && n <= 3600, 'a number of seconds from 0 to 3600')
  if (values['alert-url'] !== undefined && !/^https?:\/\//i.test(values['alert-url'])) throw new Fatal(`--alert-url must be an http(s) URL, got "${values['alert-url']}"`)
  return {
    url: url.toString().replace(/\/+$/, ''),
    key: values.key,
    project: values.project,
    sessions: storm && !argv.some((a) => a === '--sessions' || a.startsWith('--sessions='))
      ? 120
      : num('sessions', values.sessions, (n) => Number.isInteger(n) && n >= (storm ? 3 : 1) && n <= (storm ? 5_000 : 10_000_000), storm ? 'a whole number from 3 to 5000 with --storm' : 'a whole number >= 1'),
    hours: num('hours', values.hours, (n) => n > 0 && n <= 24 * 30, 'a number of hours > 0 (at most 720)'),
    releases: num('releases', values.releases, (n) => Number.isInteger(n) && n >= 0 && n <= 200, 'a whole number from 0 to 200'),
    adminToken: values['admin-token'],
    live: !values['no-live'],
    seed:
      values.seed === undefined
        ? Math.floor(Math.random() * 2 ** 32)
        : num('seed', values.seed, (n) => Number.isInteger(n) && n >= 0, 'a whole number >= 0'),
    skew: num('skew', values.skew, (n) => n >= 0 && n <= 1, 'a number from 0 to 1'),
    concurrency: num('concurrency', values.concurrency, (n) => Number.isInteger(n) && n >= 1 && n <= 256, 'a whole number from 1 to 256'),
    backend: values.backend,
    misbehave: num('misbehave', values.misbehave ?? (storm ? '6' : '1'), (n) => n >= 1 && n <= 100, 'a number from 1 to 100'),
    serverKey: values['server-key'],
    storm,
    calm: seconds('calm', values.calm),
    blip: num('blip', values.blip, (n) => n >= 1 && n <= 3600, 'a number of seconds from 1 to 3600'),
    after: seconds('after', values.after),
    alertUrl: values['alert-url'],
  }
}

// ---- HTTP -------------------------------------------------------------------

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

function unreachable(base: string, err: unknown): Fatal {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause
  const why = cause?.code ?? cause?.message ?? (err as Error).message
  return new Fatal(
    `Cannot reach Stalewatch at ${base} (${why}).\n` +
      `Start the server in another terminal with \`npm run dev\` (or \`npm run build && npm start\`), ` +
      `or point --url at a running server.`,
  )
}

async function call(base: string, pathname: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(base + pathname, { ...init, signal: AbortSignal.timeout(30_000) })
  } catch (err) {
    throw unreachable(base, err)
  }
}

async function errorText(res: Response): Promise<string> {
  const text = await res.text().catch(() => '')
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } | string }
    if (typeof body.error === 'string') return body.error
    if (body.error?.message) return body.error.code ? `${body.error.code}: ${body.error.message}` : body.error.message
  } catch {
    // not JSON
  }
  return text.slice(0, 200) || res.statusText
}

function retryAfterMs(res: Response): number {
  const raw = res.headers.get('retry-after')
  if (raw === null) return 1_000
  const secs = Number(raw)
  if (Number.isFinite(secs)) return Math.min(Math.max(secs, 0), 60) * 1_000
  const date = Date.parse(raw)
  return Number.isFinite(date) ? Math.min(Math.max(date - Date.now(), 0), 60_000) : 1_000
}

// ---- admin API --------------------------------------------------------------

function tokenFile(): string {
  return path.join(readSetting('dataDir'), 'admin-token')
}

function findAdminToken(flag: string | undefined): string | undefined {
  if (flag) return flag
  const fromEnv = readSetting('adminToken')
  if (fromEnv) return fromEnv
  try {
    const t = readFileSync(tokenFile(), 'utf8').trim()
    return t === '' ? undefined : t
  } catch {
    return undefined
  }
}

interface Project {
  id: string
  name: string
  ingestKey: string
}

class Admin {
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  async json<T>(method: string, pathname: string, body?: unknown): Promise<{ status: number; data: T }> {
    const res = await call(this.base, pathname, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (res.status === 401 || res.status === 403) {
      throw new Fatal(
        `The admin token was rejected (${res.status}). Pass the right one with --admin-token, ` +
          `STALEWATCH_ADMIN_TOKEN, or the file ${tokenFile()} written by the server at start-up.`,
      )
    }
    if (res.status === 404) throw new Fatal(`${method} ${this.base}${pathname} answered 404: is this a Stalewatch server?`)
    if (!res.ok) return { status: res.status, data: { error: await errorText(res) } as T }
    return { status: res.status, data: (await res.json()) as T }
  }

  async projects(): Promise<Project[]> {
    const { status, data } = await this.json<{ projects?: Project[]; error?: string }>('GET', '/api/projects')
    if (status >= 300 || !Array.isArray(data.projects)) throw new Fatal(`Listing projects failed (${status}): ${data.error ?? 'unexpected answer'}`)
    return data.projects.map((p) => ({ ...p, id: String(p.id) }))
  }

  async createProject(name: string): Promise<Project> {
    const { status, data } = await this.json<Project & { error?: string }>('POST', '/api/projects', { name })
    if (status >= 300 || !data.ingestKey) throw new Fatal(`Creating project "${name}" failed (${status}): ${data.error ?? 'no ingestKey in the answer'}`)
    return { ...data, id: String(data.id) }
  }

  /** Registers a release; a failure other than the token is reported and skipped. */
  async release(project: string, version: string, releasedAt: number): Promise<string | null> {
    const { status, data } = await this.json<{ error?: string }>('POST', '/api/releases', {
      project,
      version,
      releasedAt,
      commit: fakeCommit(version),
    })
    return status >= 300 ? `${status} ${data.error ?? ''}`.trim() : null
  }
}

async function resolveProject(args: Args): Promise<{ key: string; projectId?: string; admin?: Admin }> {
  const token = findAdminToken(args.adminToken)
  const admin = token === undefined ? undefined : new Admin(args.url, token)
  if (args.key !== undefined) {
    if (args.project !== undefined || admin === undefined) return { key: args.key, projectId: args.project, admin }
    const found = (await admin.projects()).find((p) => p.ingestKey === args.key)
    return { key: args.key, projectId: found?.id, admin }
  }
  if (admin === undefined) {
    throw new Fatal(
      `No --key given and no admin token found (looked at --admin-token, STALEWATCH_ADMIN_TOKEN and ${tokenFile()}).\n` +
        `Start the server once (it writes the token file), run this from the project directory, or pass --key.`,
    )
  }
  const projects = await admin.projects()
  if (args.project !== undefined) {
    const p = projects.find((x) => x.id === args.project)
    if (p === undefined) throw new Fatal(`No project with id ${args.project} (have: ${projects.map((x) => `${x.id} "${x.name}"`).join(', ') || 'none'}).`)
    return { key: p.ingestKey, projectId: p.id, admin }
  }
  const demo = projects.find((p) => p.name === 'demo')
  if (demo !== undefined) {
    console.log(`Using project "demo" (${demo.id}).`)
    return { key: demo.ingestKey, projectId: demo.id, admin }
  }
  const created = await admin.createProject('demo')
  console.log(`Created project "demo" (${created.id}).`)
  return { key: created.ingestKey, projectId: created.id, admin }
}

// ---- sending ----------------------------------------------------------------

interface Stats {
  requests: number
  eventsSent: number
  acked: number
  rejected: number
  failed: number
  retries: number
}

class Sender {
  readonly stats: Stats = { requests: 0, eventsSent: 0, acked: 0, rejected: 0, failed: 0, retries: 0 }
  private readonly inFlight = new Set<Promise<void>>()
  private fatal: Error | null = null
  private reported = 0
  latest: string | null = null

  constructor(
    private readonly base: string,
    private readonly concurrency: number,
  ) {}

  /** Waits for a free slot, then sends in the background. `build` is called per attempt (fresh sentAt). */
  async submit(build: () => IngestEnvelope, events: number): Promise<void> {
    while (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight)
    if (this.fatal) throw this.fatal
    this.stats.eventsSent += events
    const p: Promise<void> = this.send(build, events)
      .catch((err: unknown) => {
        this.fatal ??= err instanceof Error ? err : new Error(String(err))
      })
      .finally(() => this.inFlight.delete(p))
    this.inFlight.add(p)
  }

  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight)
    if (this.fatal) throw this.fatal
  }

  get failure(): Error | null {
    return this.fatal
  }

  private report(msg: string): void {
    if (this.reported++ < 5) console.warn(`  ! ${msg}`)
    else if (this.reported === 6) console.warn('  ! (further errors not shown)')
  }

  private async send(build: () => IngestEnvelope, events: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let res: Response
      try {
        res = await fetch(`${this.base}/api/ingest`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(build()),
          signal: AbortSignal.timeout(30_000),
        })
      } catch (err) {
        if (attempt >= 4) throw unreachable(this.base, err)
        this.stats.retries++
        await sleep(500 * 2 ** attempt)
        continue
      }
      this.stats.requests++
      if (res.ok) {
        const answer = (await res.json()) as IngestAnswer
        this.stats.acked += answer.accepted
        this.stats.rejected += answer.rejected.length
        if (answer.latest !== undefined) this.latest = answer.latest
        for (const r of answer.rejected.slice(0, 1)) this.report(`event ${r.id ?? '?'} rejected: ${r.error}`)
        return
      }
      if (res.status === 429 || res.status === 503) {
        const wait = retryAfterMs(res)
        await res.body?.cancel()
        if (attempt >= 30) throw new Fatal(`The server kept answering ${res.status} (busy) for ${attempt} attempts; giving up.`)
        this.stats.retries++
        await sleep(wait)
        continue
      }
      const msg = await errorText(res)
      if (res.status === 401 || res.status === 403) {
        throw new Fatal(
          `The ingest key was rejected (${res.status}: ${msg}).\n` +
            `Check --key: it is the project's ingestKey (GET /api/projects lists them), or leave --key out to use the "demo" project.`,
        )
      }
      if (res.status >= 500 && attempt < 4) {
        this.stats.retries++
        await sleep(500 * 2 ** attempt)
        continue
      }
      this.stats.failed += events
      this.report(`ingest answered ${res.status}: ${msg}`)
      if (this.stats.requests >= 20 && this.stats.failed > 0.5 * this.stats.eventsSent) {
        throw new Fatal(`Most requests are failing (last: ${res.status} ${msg}); stopping.`)
      }
      return
    }
  }
}

// ---- backend ----------------------------------------------------------------

/** The simulated app server with the real middleware, sending counts with the project's server key. */
async function startBackend(args: Args, admin: Admin | undefined, projectId: string | undefined): Promise<SimBackend> {
  const serverKey = await simulatorServerKey(args.serverKey, admin, projectId)
  const backend = await SimBackend.start({ stalewatchUrl: args.url, serverKey, seed: args.seed, warn: (m) => console.warn(`  ! ${m}`) })
  console.log(
    `Simulated app server at ${backend.server.url}: open tabs poll it and hold a socket, counted by the backend-load middleware` +
      (args.misbehave > 1 ? `; tabs on older versions misbehave (×${args.misbehave}).` : '.'),
  )
  return backend
}

// ---- main -------------------------------------------------------------------

async function main(): Promise<number> {
  const args = parse(process.argv.slice(2))
  if (args === null) {
    console.log(HELP)
    return 0
  }
  let stopping = false
  process.on('SIGINT', () => {
    if (stopping) process.exit(130)
    stopping = true
    console.log('\nStopping (Ctrl-C again to quit at once)…')
  })

  // Fail fast (not after retries) when nothing listens at --url.
  const probe = await call(args.url, '/', { method: 'GET', redirect: 'manual' })
  await probe.body?.cancel()

  const { key, projectId, admin } = await resolveProject(args)
  if (args.storm) {
    if (admin === undefined || projectId === undefined) {
      throw new Fatal('--storm registers releases and creates an alert rule: it needs the admin token (--admin-token, STALEWATCH_ADMIN_TOKEN or the token file) and the project (--project, or leave --key out to use "demo").')
    }
    return runStorm({
      url: args.url,
      key,
      projectId,
      admin,
      serverKey: args.serverKey,
      tabs: args.sessions,
      seed: args.seed,
      calmSeconds: args.calm,
      blipSeconds: args.blip,
      afterSeconds: args.after,
      misbehave: args.misbehave,
      alertUrl: args.alertUrl,
    })
  }
  const now = Date.now()
  const span = args.hours * 3_600_000
  const plan = planReleases({ nowMs: now, hours: args.hours, count: args.releases })

  if (plan.releases.length > 0) {
    if (admin !== undefined && projectId !== undefined) {
      for (const r of plan.releases) {
        const err = await admin.release(projectId, r.version, r.releasedAt)
        if (err !== null) console.warn(`  ! release ${r.version} not registered: ${err}`)
      }
      const ago = (t: number) => `${Math.round((now - t) / 60_000)} min ago`
      console.log(`Registered ${plan.releases.length} releases: ${plan.releases.map((r) => `${r.version} (${ago(r.releasedAt)})`).join(', ')}`)
    } else {
      console.warn(
        `  ! Releases not registered (${admin === undefined ? 'no admin token' : 'project id unknown; pass --project'}): ` +
          'versions will be ordered by when they are first seen.',
      )
    }
  }

  // The simulation covers the history and, when live, the next 24 hours at the same rate.
  const liveSpan = args.live ? LIVE_HORIZON_MS : 0
  const totalSessions = Math.round((args.sessions * (span + liveSpan)) / span)
  const sim: SimulatorOptions = {
    sessions: totalSessions,
    startMs: now - span,
    endMs: now + liveSpan,
    releases: plan.releases,
    initialVersion: plan.initialVersion,
    seed: args.seed,
    // Ids depend on the start time too: a repeated --seed must not resend ids the server already has.
    idPrefix: hash32(args.seed, Math.floor(now / 1000)).toString(36).padStart(7, '0').slice(0, 6),
    clockSkewFraction: args.skew,
    preOpenFraction: (SIMULATOR_DEFAULTS.preOpenFraction * args.sessions) / totalSessions,
  }

  let total = 0
  for (const env of generateTimeline(sim)) {
    if (env.at > now) break
    total += env.events.length
  }
  console.log(
    `Back-filling ${args.hours} h of history: ${fmt(args.sessions)} tabs, ${fmt(total)} events ` +
      `→ ${args.url}/api/ingest (seed ${args.seed}, ${args.concurrency} requests in flight)`,
  )

  const sender = new Sender(args.url, args.concurrency)
  const started = Date.now()
  let lastPrinted = ''
  const progress = () => {
    const s = sender.stats
    const secs = Math.max((Date.now() - started) / 1000, 0.001)
    const line =
      `  ${fmt(s.eventsSent)}/${fmt(total)} events sent (${total ? Math.floor((100 * s.eventsSent) / total) : 100} %), ` +
      `${fmt(s.acked)} acked, ${fmt(s.acked / secs)} ev/s` +
      (s.retries ? `, ${fmt(s.retries)} retries` : '') +
      (s.failed + s.rejected ? `, ${fmt(s.failed + s.rejected)} failed` : '')
    if (line !== lastPrinted) console.log(line)
    lastPrinted = line
  }
  const timer = setInterval(progress, 1_000)

  const timeline = generateTimeline(sim)
  const batcher = new LoadBatcher()
  const sendBatch = (b: LoadBatch) => sender.submit(() => batchToEnvelope(b, key, Date.now()), b.events.length)
  let next: SimEnvelope | undefined
  try {
    for (;;) {
      const n = timeline.next()
      if (n.done) break
      if (n.value.at > now) {
        next = n.value
        break
      }
      for (const b of batcher.add(n.value)) await sendBatch(b)
      if (stopping) break
    }
    for (const b of batcher.flush()) await sendBatch(b)
    await sender.drain()
  } finally {
    clearInterval(timer)
  }
  progress()
  const s = sender.stats
  console.log(
    `Back-fill done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${fmt(s.acked)} of ${fmt(s.eventsSent)} events accepted ` +
      `in ${fmt(s.requests)} requests. Open ${args.url} to see the dashboard.`,
  )
  if (s.acked === 0 && s.eventsSent > 0) throw new Fatal('The server accepted none of the events; see the errors above.')
  if (!args.live || stopping) return s.failed + s.rejected > 0 ? 1 : 0

  // ---- live ----
  console.log('Sending live traffic for the open tabs, one line a minute (Ctrl-C to stop).')
  const backend = args.backend ? await startBackend(args, admin, projectId) : null
  const lastSeen = new Map<string, { at: number; version: string; hidden: boolean }>()
  let counted = 0
  let minuteStart = Date.now()
  let minuteEvents = 0
  let minuteReloads = 0
  const minuteLine = () => {
    const t = Date.now()
    if (t - minuteStart < 60_000) return
    const versions = new Map<string, number>()
    let open = 0
    for (const [id, v] of lastSeen) {
      if (v.at <= t - LIVENESS_MS) {
        lastSeen.delete(id)
        backend?.closeTab(id)
        continue
      }
      open++
      versions.set(v.version, (versions.get(v.version) ?? 0) + 1)
    }
    const mix = [...versions]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([v, n]) => `${v} ${Math.round((100 * n) / open)} %`)
      .join(', ')
    console.log(
      `${new Date(t).toTimeString().slice(0, 5)}  ${fmt(open)} tabs open (${mix || 'none'}), ` +
        `${fmt(minuteEvents)} events, ${fmt(minuteReloads)} reloads this minute, ${fmt(sender.stats.acked)} acked in total` +
        (sender.latest ? `, latest ${sender.latest}` : '') +
        (backend ? `, ${fmt(backend.counter.stats().counted - counted)} backend requests counted` : ''),
    )
    if (backend) counted = backend.counter.stats().counted
    minuteStart = t
    minuteEvents = 0
    minuteReloads = 0
  }

  while (!stopping && next !== undefined) {
    const env: SimEnvelope = next
    const wait = env.at - Date.now()
    if (wait > 0) {
      await sleep(Math.min(wait, 500))
      minuteLine()
      continue
    }
    await sender.submit(() => ({ ...toIngestEnvelope(env, key), sentAt: Date.now() + env.skewMs }), env.events.length)
    const previous = lastSeen.get(env.session)
    const shown = [...env.events].reverse().find((e) => 'visibility' in e)
    const hidden = shown && 'visibility' in shown ? shown.visibility === 'hidden' : (previous?.hidden ?? false)
    lastSeen.set(env.session, { at: env.at, version: env.version, hidden })
    if (backend) {
      // A reload into another version is a new page: its traffic starts again under the new version.
      if (previous && previous.version !== env.version) backend.closeTab(env.session)
      const latest = latestVersionAt(plan.releases, Date.now(), plan.initialVersion)
      backend.tab(env.session, env.version, hidden, env.version !== latest && args.misbehave > 1 ? misbehaving(args.misbehave) : WELL_BEHAVED)
    }
    minuteEvents += env.events.length
    for (const ev of env.events) if (ev.type === 'load' && ev.navigation === 'reload') minuteReloads++
    const n = timeline.next()
    next = n.done ? undefined : n.value
    minuteLine()
  }
  await sender.drain()
  await backend?.close()
  if (next === undefined && !stopping) console.log('Simulated 24 hours of live traffic; stopping.')
  console.log(`Sent ${fmt(sender.stats.eventsSent)} events in total, ${fmt(sender.stats.acked)} accepted.`)
  return 0
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof Fatal || err instanceof StormError || err instanceof ServerKeyError) console.error(`simulate: ${err.message}`)
    else console.error('simulate: unexpected error:', err)
    process.exit(1)
  },
)
