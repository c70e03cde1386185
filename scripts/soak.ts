import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { soakDisk, type SoakDisk } from './soak-disk'
import { poisonedBatch, poisonSummary } from './soak-poison'
import { idleConnectionFlood, type IdleFloodResult } from './soak-idle-flood'

const HELP = `Usage: npm run soak [-- --minutes N] [-- --senders K] [-- --fault-every S] [-- --keep-data]

Soak test: starts the real server (scripts/start.ts) in a child process with
its own data directory on a loopback port, drives simulated tab traffic at it
for N minutes while injecting faults, then checks what ClickHouse holds.

Faults, in this order and then again from the top, one every --fault-every seconds:
  down      storage fails every insert for a few seconds (fault file)
  idle-flood  1,600 connections from many loopback addresses that send
            nothing or their headers a byte at a time; the server must close
            them itself (headers timeout) while tabs are answered
  sigkill   kill -9 the server under load, restart it on the same data
  disk-full the ingest log's disk is full for a few seconds: where a mount
            is allowed the log lives on a 64 MiB tmpfs that is filled to the
            last byte; elsewhere appends fail with ENOSPC (fault file)
  stall     storage hangs every insert for a few seconds (fault file)
  sigterm   graceful stop under load, restart
  poisoned  for a few seconds batches carry events with lone surrogates, NUL
            and control characters among their heartbeats (scripts/soak-poison.ts)
Throughout: resends of already acknowledged batches (a lost answer) and
garbage requests (random bytes, bad JSON, unknown keys, oversize bodies).
Refused batches are resent like the SDK does, honouring Retry-After.

Prints progress every 5 s, then: sent, acknowledged, stored, lost
(acknowledged but not in ClickHouse), counted twice (by the product's
distinct counts), raw duplicate rows, refusals by code and what the ingest
log quarantined. Exits 1 if anything was lost or counted twice, if anything
was quarantined (a segment must only ever hold whole rows), or if garbage
ever got a 5xx (other than a 503 overloaded shed by event-loop delay before
the body was read, counted apart), or if the server left a flood's idle
connection open.

The storage faults use STALEWATCH_FAULT_FILE (off unless set; see
docs/security.md). Needs a Next.js build (npm start builds one if missing;
STALEWATCH_NEXT_DIST_DIR picks its directory).

Options:
  --minutes N       how long to drive traffic (default 5)
  --senders K       concurrent senders, each a few tabs (default 8)
  --fault-every S   seconds between faults (default 25)
  --keep-data       keep the temporary data directory
  --inject-disk-full  use the injected write failure for disk-full even where
                    a tmpfs could be mounted
  --help            this text`

interface Args {
  minutes: number
  senders: number
  faultEvery: number
  keepData: boolean
  injectDiskFull: boolean
}

function parse(): Args | null {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '5' },
      senders: { type: 'string', default: '8' },
      'fault-every': { type: 'string', default: '25' },
      'keep-data': { type: 'boolean', default: false },
      'inject-disk-full': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(HELP)
    return null
  }
  const args = { minutes: Number(values.minutes), senders: Number(values.senders), faultEvery: Number(values['fault-every']), keepData: values['keep-data'], injectDiskFull: values['inject-disk-full'] }
  if (!(args.minutes > 0) || !(args.senders >= 1) || !(args.faultEvery >= 5)) throw new Error('--minutes > 0, --senders >= 1 and --fault-every >= 5 please')
  return args
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const log = (message: string) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}`)

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

/** The server child process, restartable on the same port and data directory. */
class ServerProcess {
  child: ChildProcess | null = null
  readonly url: string
  private tail = ''

  constructor(
    private readonly port: number,
    private readonly env: Record<string, string>,
  ) {
    this.url = `http://127.0.0.1:${port}`
  }

  async start(): Promise<void> {
    // node --import tsx, not the tsx CLI: the CLI runs the script in a child
    // process, and a SIGKILL to the CLI would leave the real server running.
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', '--port', String(this.port), '--host', '127.0.0.1'], {
      env: { ...process.env, STALEWATCH_LOG_LEVEL: 'error', NEXT_TELEMETRY_DISABLED: '1', ...this.env, CLICKHOUSE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.child = child
    let output = ''
    const collect = (chunk: Buffer) => {
      output += chunk.toString()
      this.tail = (this.tail + chunk.toString()).slice(-4000)
    }
    child.stdout!.on('data', collect)
    child.stderr!.on('data', collect)
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start in 180 s:\n${output}`)), 180_000)
      const check = () => {
        if (/serving at/.test(output)) {
          clearTimeout(timer)
          resolve()
        }
      }
      child.stdout!.on('data', check)
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`server exited with ${code} while starting:\n${output}`))
      })
    })
  }

  async stop(signal: NodeJS.Signals): Promise<number | null> {
    const child = this.child
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    child.kill(signal)
    const code = await exited
    this.child = null
    return code
  }

  lastOutput(): string {
    return this.tail
  }
}

interface Stats {
  sentIds: Set<string>
  acknowledged: Set<string>
  requests: number
  byStatus: Map<string, number>
  resends: number
  garbage: number
  garbage5xx: number
  /** Garbage shed by event-loop delay before its body was read (503 overloaded + Retry-After): no verdict on the body. */
  garbageShed: number
  faults: string[]
  /** Each idle-connection flood: what was opened and how much of it the server closed itself. */
  idleFloods: IdleFloodResult[]
  /** Refusals (4xx/5xx) by the error code in their body. */
  byCode: Map<string, number>
}

const stats: Stats = { sentIds: new Set(), acknowledged: new Set(), requests: 0, byStatus: new Map(), resends: 0, garbage: 0, garbage5xx: 0, garbageShed: 0, faults: [], idleFloods: [], byCode: new Map() }
const bump = (key: string) => stats.byStatus.set(key, (stats.byStatus.get(key) ?? 0) + 1)
const bumpCode = (code: string) => stats.byCode.set(code, (stats.byCode.get(code) ?? 0) + 1)

let idSeq = 0
const newId = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${(idSeq++).toString(36)}_${randomBytes(3).toString('hex')}`

interface Batch {
  body: string
  ids: string[]
  /** Events the server must refuse (poisoned ones): not acknowledged by its 200. */
  refused?: string[]
}

/** Until when the poisoned-event fault mixes poisoned batches into the traffic. */
let poisonUntil = 0

function makeBatch(key: string, tab: { session: string; load: string; version: string }): Batch {
  const now = Date.now()
  const count = 1 + Math.floor(Math.random() * 20)
  const events = Array.from({ length: count }, (_, i) => ({ id: newId('e'), type: 'heartbeat', ts: now - (count - i), visibility: Math.random() < 0.8 ? 'visible' : 'hidden' }))
  return { body: JSON.stringify({ key, session: tab.session, load: tab.load, version: tab.version, sentAt: now, events }), ids: events.map((e) => e.id) }
}

function garbageBody(key: string): { body: Uint8Array | string; type: string } {
  switch (Math.floor(Math.random() * 5)) {
    case 0:
      return { body: randomBytes(1 + Math.floor(Math.random() * 2000)), type: 'text/plain' }
    case 1:
      return { body: '{"key":"' + key + '","session":', type: 'application/json' }
    case 2:
      return { body: JSON.stringify({ key: 'swk_not_a_real_key', session: 'sess_garbage1', load: 'load_garbage1', version: 'v1', sentAt: Date.now(), events: [{ id: 'evt_garbage1', type: 'heartbeat', ts: Date.now(), visibility: 'visible' }] }), type: 'text/plain' }
    case 3:
      return { body: 'x'.repeat(70 * 1024), type: 'text/plain' }
    default:
      return { body: JSON.stringify({ key, session: "'; DROP TABLE events; --", load: 'x', version: '', sentAt: 'now', events: [null, 1, {}] }), type: 'application/json' }
  }
}

async function post(url: string, body: Uint8Array | string, type: string): Promise<{ status: number; retryAfter: number; code: string | null } | null> {
  try {
    const payload = typeof body === 'string' ? body : new Uint8Array(body)
    const response = await fetch(`${url}/api/ingest`, { method: 'POST', headers: { 'content-type': type }, body: payload, signal: AbortSignal.timeout(10_000) })
    const text = await response.text()
    stats.requests++
    bump(String(response.status))
    let code: string | null = null
    if (response.status >= 400) {
      try {
        code = String((JSON.parse(text) as { error: { code: string } }).error.code)
      } catch {
        code = `http_${response.status}`
      }
      bumpCode(code)
    }
    return { status: response.status, retryAfter: Number(response.headers.get('retry-after') ?? '0'), code }
  } catch {
    bump('network')
    return null
  }
}

/** One sender: a few tabs, each with its pending batch resent until acknowledged (as the SDK does). */
async function sender(url: string, key: string, until: number, resendable: Batch[]): Promise<void> {
  const tabs = Array.from({ length: 3 }, () => ({ session: newId('s'), load: newId('l'), version: `v${1 + Math.floor(Math.random() * 3)}`, pending: null as Batch | null, bornAt: Date.now() }))
  while (Date.now() < until) {
    const roll = Math.random()
    if (roll < 0.03) {
      stats.garbage++
      const g = garbageBody(key)
      const answer = await post(url, g.body, g.type)
      // The node:http path sheds by event-loop delay before it reads a body (docs/scaling.md): that 503 is about load, not about the garbage.
      if (answer?.status === 503 && answer.code === 'overloaded' && answer.retryAfter > 0) stats.garbageShed++
      else if (answer && answer.status >= 500) stats.garbage5xx++
      continue
    }
    if (roll < 0.08 && resendable.length > 0) {
      // A lost answer: the client sends an already acknowledged batch again.
      stats.resends++
      await post(url, resendable[Math.floor(Math.random() * resendable.length)]!.body, 'text/plain')
      continue
    }
    const tab = tabs[Math.floor(Math.random() * tabs.length)]!
    if (Date.now() - tab.bornAt > 60_000 && !tab.pending) Object.assign(tab, { session: newId('s'), load: newId('l'), bornAt: Date.now() })
    const batch = tab.pending ?? (Date.now() < poisonUntil && Math.random() < 0.5 ? poisonedBatch(key, tab) : makeBatch(key, tab))
    for (const id of batch.ids) stats.sentIds.add(id)
    const answer = await post(url, batch.body, 'text/plain')
    if (answer?.status === 200) {
      for (const id of batch.ids) if (!batch.refused?.includes(id)) stats.acknowledged.add(id)
      tab.pending = null
      resendable.push(batch)
      if (resendable.length > 200) resendable.shift()
    } else {
      tab.pending = batch
      await sleep(answer ? Math.min(2000, Math.max(100, answer.retryAfter * 1000)) : 300)
    }
  }
}

async function faultLoop(server: ServerProcess, faultFile: string, disk: SoakDisk, until: number, every: number): Promise<void> {
  const order = ['down', 'idle-flood', 'sigkill', 'disk-full', 'stall', 'sigterm', 'poisoned']
  let n = 0
  for (;;) {
    const next = Date.now() + every * 1000
    if (next + 5000 > until) return
    await sleep(next - Date.now())
    const fault = order[n++ % order.length]!
    stats.faults.push(fault)
    if (fault === 'down' || fault === 'stall') {
      log(`fault: storage ${fault} for 4 s`)
      writeFileSync(faultFile, fault)
      await sleep(4000)
      writeFileSync(faultFile, '')
    } else if (fault === 'poisoned') {
      log('fault: poisoned events (lone surrogates, NUL, control characters) among the traffic for 4 s')
      poisonUntil = Date.now() + 4000
      await sleep(4000)
    } else if (fault === 'idle-flood') {
      log('fault: a flood of idle and slow-header connections')
      const flood = await idleConnectionFlood(server.url)
      stats.idleFloods.push(flood)
      log(`idle flood: ${flood.opened} opened (${flood.failed} refused), ${flood.closedByServer} closed by the server within ${flood.seconds.toFixed(1)} s (${flood.closedAfterProbe} of them only after a probe: never accepted until then)`)
    } else if (fault === 'disk-full') {
      log(`fault: the ingest log's disk is full for 4 s (${disk.describe})`)
      disk.fill()
      await sleep(4000)
      disk.release()
    } else {
      const signal = fault === 'sigkill' ? 'SIGKILL' : 'SIGTERM'
      log(`fault: ${signal} under load; restarting`)
      const code = await server.stop(signal)
      if (signal === 'SIGTERM' && code !== 0) log(`WARNING: SIGTERM exit code ${code}\n${server.lastOutput()}`)
      const started = Date.now()
      await server.start()
      log(`restarted in ${((Date.now() - started) / 1000).toFixed(1)} s`)
    }
  }
}

function progress(started: number): void {
  const by = [...stats.byStatus].map(([k, v]) => `${k}:${v}`).join(' ')
  log(
    `${((Date.now() - started) / 1000).toFixed(0)} s: sent ${stats.sentIds.size} events, acknowledged ${stats.acknowledged.size}, ` +
      `requests ${stats.requests} [${by}], resends ${stats.resends}, garbage ${stats.garbage}, faults ${stats.faults.length}`,
  )
}

async function verify(dataDir: string, logDir: string, projectId: string): Promise<{ lost: number; countedTwice: number; sessionsCountedTwice: number; stored: number; rawDuplicates: number; distinctInTable: number }> {
  // The server is stopped: this process may open the data directory now.
  process.env.STALEWATCH_DATA_DIR = dataDir
  process.env.STALEWATCH_INGEST_LOG_DIR = logDir
  process.env.CLICKHOUSE_URL = ''
  const { runQuery } = await import('../lib/store/run-query')
  const { table } = await import('../lib/store/tables')
  const { liveSessions } = await import('../lib/figures/live-sessions/read-now')
  const { closeStore } = await import('../lib/store/client')
  // As the next start would: store what the ingest log still holds (a stop
  // that outlasted its 10 s to drain the log leaves the rest on disk).
  const { closeIngest, ingestRuntime } = await import('../ingest/events/runtime')
  await ingestRuntime().buffer.flush()
  await closeIngest()
  try {
    const rows = await runQuery<{ event_id: string; n: string }>(
      'soak.storedIds',
      `SELECT event_id, count() AS n FROM ${table('events')} WHERE project_id = {p:String} GROUP BY event_id`,
      { p: projectId },
    )
    const stored = new Map(rows.map((r) => [r.event_id, Number(r.n)]))
    let lost = 0
    let storedAck = 0
    for (const id of stats.acknowledged) {
      if (stored.has(id)) storedAck++
      else lost++
    }
    const rawDuplicates = rows.reduce((sum, r) => sum + Number(r.n) - 1, 0)
    // The product's figures: distinct event ids and distinct live sessions.
    const [figure] = await runQuery<{ events: string; sessions: string; at: number }>(
      'soak.figures',
      `SELECT uniqExact(event_id) AS events, uniqExact(session_id) AS sessions, toUnixTimestamp64Milli(max(event_time)) AS at
       FROM ${table('events')} WHERE project_id = {p:String}`,
      { p: projectId },
    )
    const at = Number(figure!.at)
    const live = await liveSessions({ projectId, at, windowSeconds: 180 })
    const [truth] = await runQuery<{ sessions: string }>(
      'soak.liveTruth',
      `SELECT count() AS sessions FROM (SELECT DISTINCT session_id FROM ${table('events')} WHERE project_id = {p:String}
         AND event_time > fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND event_time <= fromUnixTimestamp64Milli({at:Int64}, 'UTC'))`,
      { p: projectId, from: at - 180_000, at },
    )
    return {
      lost,
      stored: storedAck,
      countedTwice: Number(figure!.events) - stored.size,
      sessionsCountedTwice: live.total - Number(truth!.sessions),
      rawDuplicates,
      distinctInTable: stored.size,
    }
  } finally {
    await closeStore()
  }
}

async function main(): Promise<void> {
  const args = parse()
  if (!args) return
  const dataDir = mkdtempSync(path.join(tmpdir(), 'stalewatch-soak-'))
  const faultFile = path.join(dataDir, 'fault')
  writeFileSync(faultFile, '')
  const disk = soakDisk(dataDir, faultFile, { mount: !args.injectDiskFull })
  try {
    await soak(args, dataDir, faultFile, disk)
  } finally {
    disk.unmount()
  }
}

async function soak(args: Args, dataDir: string, faultFile: string, disk: SoakDisk): Promise<void> {
  const adminToken = `swa_soak_${randomBytes(16).toString('hex')}`
  const server = new ServerProcess(await freePort(), {
    STALEWATCH_DATA_DIR: path.join(dataDir, 'data'),
    STALEWATCH_INGEST_LOG_DIR: disk.logDir,
    STALEWATCH_MIN_FREE_DISK_BYTES: String(disk.minFreeBytes),
    STALEWATCH_ADMIN_TOKEN: adminToken,
    STALEWATCH_FAULT_FILE: faultFile,
  })
  log(`the ingest log's disk-full fault uses ${disk.describe}`)
  log(`data in ${dataDir}; starting the server (builds first if there is no build)…`)
  await server.start()
  log(`server at ${server.url}`)
  const created = await fetch(`${server.url}/api/projects`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'soak' }),
  })
  if (created.status !== 201) throw new Error(`creating the project failed: ${created.status} ${await created.text()}`)
  const project = (await created.json()) as { id: string; ingestKey: string }

  const started = Date.now()
  const until = started + args.minutes * 60_000
  const resendable: Batch[] = []
  const ticker = setInterval(() => progress(started), 5000)
  log(`driving traffic for ${args.minutes} min with ${args.senders} senders; a fault every ${args.faultEvery} s`)
  await Promise.all([...Array.from({ length: args.senders }, () => sender(server.url, project.ingestKey, until, resendable)), faultLoop(server, faultFile, disk, until, args.faultEvery)])
  clearInterval(ticker)
  progress(started)

  log('traffic stopped; stopping the server (SIGTERM) and checking ClickHouse…')
  const code = await server.stop('SIGTERM')
  if (code !== 0) log(`WARNING: final SIGTERM exit code ${code}`)
  const result = await verify(path.join(dataDir, 'data'), disk.logDir, project.id)
  const quarantined = (() => {
    try {
      return readdirSync(path.join(disk.logDir, 'quarantine'))
    } catch {
      return []
    }
  })()

  console.log('\n== soak result')
  console.log(`duration              ${args.minutes} min, faults: ${stats.faults.join(', ') || 'none'}`)
  console.log(`requests              ${stats.requests} answered [${[...stats.byStatus].map(([k, v]) => `${k}:${v}`).join(' ')}]`)
  console.log(`sent                  ${stats.sentIds.size} events (distinct ids)`)
  console.log(`acknowledged          ${stats.acknowledged.size}`)
  console.log(`stored                ${result.stored} of the acknowledged (${result.distinctInTable} distinct ids in the table)`)
  console.log(`lost                  ${result.lost}`)
  console.log(`counted twice         ${result.countedTwice} events, ${result.sessionsCountedTwice} live sessions (product figures: distinct counts)`)
  console.log(`raw duplicate rows    ${result.rawDuplicates} (resent batches stored again; figures ignore them)`)
  console.log(`resends of acked      ${stats.resends}`)
  console.log(`garbage requests      ${stats.garbage}, answered 5xx: ${stats.garbage5xx} (and ${stats.garbageShed} shed as overloaded before their body was read)`)
  console.log(`poisoned events       ${poisonSummary(stats.acknowledged)}`)
  console.log(`refused by code       ${[...stats.byCode].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}:${v}`).join(' ') || 'none'}`)
  const floods = stats.idleFloods
  const floodsClosed = floods.reduce((n, f) => n + f.closedByServer, 0)
  const floodsOpened = floods.reduce((n, f) => n + f.opened, 0)
  console.log(
    `idle connections      ${floods.length} floods: ${floodsOpened} opened, ${floodsClosed} closed by the server (${floods.reduce((n, f) => n + f.closedAfterProbe, 0)} after a probe), ${floods.reduce((n, f) => n + f.failed, 0)} refused at connect`,
  )
  console.log(`quarantined           ${quarantined.length} files${quarantined.length ? ` (${quarantined.join(', ')})` : ''}`)
  disk.unmount()
  if (!args.keepData) rmSync(dataDir, { recursive: true, force: true })
  else console.log(`data kept in ${dataDir}`)
  const ok = result.lost === 0 && result.countedTwice === 0 && result.sessionsCountedTwice === 0 && stats.garbage5xx === 0 && quarantined.length === 0 && floodsClosed === floodsOpened
  console.log(ok ? 'PASS: nothing acknowledged was lost, nothing counted twice.' : 'FAIL')
  process.exit(ok ? 0 : 1)
}

main().catch((error: unknown) => {
  console.error(`soak failed: ${error instanceof Error ? error.stack : String(error)}`)
  process.exit(1)
})
