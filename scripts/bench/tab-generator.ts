import { randomBytes } from 'node:crypto'
import { KeepAliveSockets } from './keep-alive-sockets'
import { fill, prepareRequest, type PreparedRequest } from './prepared-request'

// The live-tabs section's load generator, in a process of its own: N
// simulated browser tabs, each heartbeating every 60 s as the SDK does, each
// request one tab's envelope (one session, one load) with ?answer=header.
// Tab i beats at phase i/N of every minute, so the rate is flat at N/60
// requests per second. A quarter of the tabs are hidden.
//
// The parent steers it over IPC:
//   start   {url, key, tabs, versions, shares}  tabs open on the first versions, by share
//   release {version, meanDelayMs}   every tab on an older version moves to it after an exponential delay: a reload event (update_prompt) from the old load, then a load (navigation reload, previousVersion) from the new one
//   minimum {version, waveMs}        tabs below it reload into the newest version, reason forced, spread over waveMs
//   stats   → counts since the last stats, latency percentiles, tabs per version
//   pause   no more beats; answered once every request sent is answered
//   stop
// A tab whose beat is due while too many requests are in flight waits: the
// stats report how far behind schedule the generator is, so a figure taken
// while it could not keep up is never mistaken for one that did.
//
// Each request is prepared bytes (prepared-request.ts): one template per kind
// of request (heartbeat, reload, load) and version, visibility or reason,
// made once, with the tab's number, its load's number, the event's id and
// the times patched in as fixed-width digits, written on kept-alive sockets
// (keep-alive-sockets.ts). The templates are shared by the tabs, not one per
// tab: a million tabs' own copies would be a third of a gigabyte in the
// generator, on the machine whose node is measured; patching the tab's number
// costs the same few digit writes as its times.

interface StartMessage {
  type: 'start'
  url: string
  key: string
  tabs: number
  versions: string[]
  /** Share of tabs on each of the first versions at the start. */
  shares: number[]
  maxInFlight?: number
  /** Keep the id of every acknowledged event, for the stats (tests: every acknowledged event was stored). */
  collectIds?: boolean
}

type Message = StartMessage | { type: 'release'; version: string; meanDelayMs: number } | { type: 'minimum'; version: string; waveMs: number } | { type: 'stats' } | { type: 'pause' } | { type: 'stop' }

export interface TabStats {
  elapsedMs: number
  sentRequests: number
  sentEvents: number
  ackedEvents: number
  byStatus: Record<string, number>
  errors: number
  /** Beats due but not yet sent (in flight at the cap): how far behind schedule. */
  behind: number
  inFlight: number
  p50Ms: number
  p99Ms: number
  tabsByVersion: Record<string, number>
  /** With collectIds: the ids of the events acknowledged since the last stats. */
  ackedIds?: string[]
}

const BEAT_MS = 60_000
const tag = randomBytes(3).toString('hex')
const REASON_UPDATE = 1
const REASON_FORCED = 2

let state: {
  start: StartMessage
  sockets: KeepAliveSockets
  startedAt: number
  cursor: number
  version: Uint8Array
  load: Uint16Array
  /** When the tab next reloads (ms since epoch), NaN for never. */
  reloadAt: Float64Array
  reloadTo: Uint8Array
  reloadReason: Uint8Array
  timer: ReturnType<typeof setInterval>
} | null = null

let eventCounter = 0
let counts = { sentRequests: 0, sentEvents: 0, ackedEvents: 0, errors: 0, byStatus: {} as Record<string, number> }
let latencies: number[] = []
let ackedIds: string[] = []
let lastStatsAt = Date.now()

// Fixed widths: ids stay 8–64 characters of the wire's alphabet, and every request of a template is the same length.
const TAB_DIGITS = 8
const LOAD_DIGITS = 5
const EVENT_DIGITS = 12
const eventId = (n: number) => `ev_${tag}_${String(n).padStart(EVENT_DIGITS, '0')}`

/** Templates by kind of request, made on first use: a handful per run. */
const templates = new Map<string, PreparedRequest>()

function template(kind: string, event: string, version: string): PreparedRequest {
  const name = `${kind}\u0000${version}`
  let prepared = templates.get(name)
  if (!prepared) {
    const s = state!
    const target = new URL(s.start.url)
    const body = `{"key":"${s.start.key}","session":"tab_${tag}_{tab:${TAB_DIGITS}}","load":"ld_${tag}_{tab:${TAB_DIGITS}}_{load:${LOAD_DIGITS}}","version":"${version}","sentAt":{sentAt:13},"events":[{"id":"ev_${tag}_{id:${EVENT_DIGITS}}",${event}}]}`
    prepared = prepareRequest({ host: target.host, path: `${target.pathname}?answer=header`, contentType: 'text/plain', body })
    templates.set(name, prepared)
  }
  return prepared
}

function post(request: PreparedRequest, tab: number, load: number, sentAt: number, ts = sentAt): void {
  const s = state!
  const due = performance.now()
  const id = eventCounter++
  counts.sentRequests++
  counts.sentEvents++
  const bytes = fill(request, { tab, load, sentAt, id, ts })
  s.sockets.send(bytes, (status) => {
    if (status === 0) {
      counts.errors++
      return
    }
    counts.byStatus[status] = (counts.byStatus[status] ?? 0) + 1
    if (status === 204 || status === 200) {
      counts.ackedEvents++
      if (s.start.collectIds) ackedIds.push(eventId(id))
    }
    latencies.push(performance.now() - due)
  })
}

function beat(i: number): void {
  const s = state!
  const now = Date.now()
  const visibility = i % 4 === 0 ? 'hidden' : 'visible'
  const version = s.start.versions[s.version[i]!]!
  if (!Number.isNaN(s.reloadAt[i]!) && s.reloadAt[i]! <= now) {
    // The old load says it reloads, then the new load reports itself (a millisecond later, as the event times say).
    const reason = s.reloadReason[i] === REASON_FORCED ? 'forced' : 'update_prompt'
    post(template(`reload ${reason}`, `"type":"reload","ts":{ts:13},"reason":"${reason}"`, version), i, s.load[i]!, now, now - 1)
    s.version[i] = s.reloadTo[i]!
    s.load[i] = s.load[i]! + 1
    s.reloadAt[i] = Number.NaN
    const next = s.start.versions[s.version[i]!]!
    post(template(`load ${visibility} ${version}`, `"type":"load","ts":{ts:13},"visibility":"${visibility}","navigation":"reload","previousVersion":"${version}"`, next), i, s.load[i]!, now)
    return
  }
  post(template(`heartbeat ${visibility}`, `"type":"heartbeat","ts":{ts:13},"visibility":"${visibility}"`, version), i, s.load[i]!, now)
}

function tick(): void {
  const s = state!
  const maxInFlight = s.start.maxInFlight ?? 2048
  // Beats due so far: tab i beats at startedAt + i/N·60 s + k·60 s.
  const due = Math.floor(((Date.now() - s.startedAt) * s.start.tabs) / BEAT_MS)
  while (s.cursor < due && s.sockets.pending < maxInFlight) {
    beat(s.cursor % s.start.tabs)
    s.cursor++
  }
}

function start(message: StartMessage): void {
  const n = message.tabs
  const version = new Uint8Array(n)
  let edge = 0
  const cumulative = message.shares.map((share) => (edge += share))
  // Tabs spread over the versions by a hash of their index, not in blocks, so every phase of the minute has the mix.
  for (let i = 0; i < n; i++) {
    const u = ((Math.imul(i + 1, 2654435761) >>> 0) % 10_000) / 10_000
    const at = cumulative.findIndex((c) => u < c)
    version[i] = at === -1 ? message.shares.length - 1 : at
  }
  state = {
    start: message,
    sockets: new KeepAliveSockets(new URL(message.url).hostname, Number(new URL(message.url).port || 80), 256),
    startedAt: Date.now(),
    cursor: 0,
    version,
    load: new Uint16Array(n),
    reloadAt: new Float64Array(n).fill(Number.NaN),
    reloadTo: new Uint8Array(n),
    reloadReason: new Uint8Array(n),
    // A tick about every beat, between 10 ms and 100 ms: few tabs do not pay for a timer that mostly finds nothing due.
    timer: setInterval(tick, Math.max(10, Math.min(100, Math.floor(BEAT_MS / n)))),
  }
}

function versionIndex(version: string): number {
  const at = state!.start.versions.indexOf(version)
  if (at === -1) throw new Error(`unknown version ${version}`)
  return at
}

function stats(): TabStats {
  const s = state
  const sorted = Float64Array.from(latencies).sort()
  const pick = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : 0)
  const tabsByVersion: Record<string, number> = {}
  if (s) for (let i = 0; i < s.start.tabs; i++) tabsByVersion[s.start.versions[s.version[i]!]!] = (tabsByVersion[s.start.versions[s.version[i]!]!] ?? 0) + 1
  const now = Date.now()
  const due = s ? Math.floor(((now - s.startedAt) * s.start.tabs) / BEAT_MS) : 0
  const result: TabStats = {
    elapsedMs: now - lastStatsAt,
    ...counts,
    behind: s ? due - s.cursor : 0,
    inFlight: s?.sockets.pending ?? 0,
    p50Ms: pick(0.5),
    p99Ms: pick(0.99),
    tabsByVersion,
    ...(s?.start.collectIds ? { ackedIds } : {}),
  }
  counts = { sentRequests: 0, sentEvents: 0, ackedEvents: 0, errors: 0, byStatus: {} }
  latencies = []
  ackedIds = []
  lastStatsAt = now
  return result
}

process.on('message', (message: Message) => {
  try {
    if (message.type === 'start') {
      start(message)
      process.send?.({ type: 'started' })
    } else if (message.type === 'release') {
      const s = state!
      const to = versionIndex(message.version)
      const now = Date.now()
      for (let i = 0; i < s.start.tabs; i++) {
        if (s.version[i]! >= to) continue
        s.reloadAt[i] = now - message.meanDelayMs * Math.log(1 - ((Math.imul(i + 7, 2246822519) >>> 0) % 100_000) / 100_000)
        s.reloadTo[i] = to
        s.reloadReason[i] = REASON_UPDATE
      }
      process.send?.({ type: 'released' })
    } else if (message.type === 'minimum') {
      const s = state!
      const minimum = versionIndex(message.version)
      const newest = s.start.versions.length - 1
      const now = Date.now()
      for (let i = 0; i < s.start.tabs; i++) {
        if (s.version[i]! >= minimum) continue
        const forcedAt = now + (((Math.imul(i + 3, 3266489917) >>> 0) % 100_000) / 100_000) * message.waveMs
        if (Number.isNaN(s.reloadAt[i]!) || forcedAt < s.reloadAt[i]!) {
          s.reloadAt[i] = forcedAt
          s.reloadTo[i] = newest
          s.reloadReason[i] = REASON_FORCED
        }
      }
      process.send?.({ type: 'minimum-set' })
    } else if (message.type === 'stats') {
      process.send?.({ type: 'stats', stats: stats() })
    } else if (message.type === 'pause') {
      const s = state!
      clearInterval(s.timer)
      const answered = setInterval(() => {
        if (s.sockets.pending > 0) return
        clearInterval(answered)
        process.send?.({ type: 'paused' })
      }, 10)
    } else if (message.type === 'stop') {
      if (state) clearInterval(state.timer)
      state?.sockets.close()
      process.exit(0)
    }
  } catch (error) {
    process.send?.({ type: 'error', message: error instanceof Error ? error.message : String(error) })
  }
})
process.send?.({ type: 'ready' })
