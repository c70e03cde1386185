import { config } from '../../config'
import { errorMessage, log } from '../../log'
import { processSingleton } from '../../process-singleton'
import { allProjects } from '../../projects/project-directory'
import { store } from '../../store/client'
import { onEventsWritten, runQuery } from '../../store/run-query'
import { qualified, table } from '../../store/tables'
import { VISIBILITY_LOOKBACK_MS } from './live-answers'
import { LiveIndex, type LiveEvent } from './live-index'
import { sessionFirstSeenTable } from './table'

// The live index (./live-index.ts) of this process: fed by the ingest sink
// once rows are in the events table (ingest/log/sink.ts, `onStored`), so it
// sees an event exactly when a query would, and built per project by one
// read of the covered past (hydration) on the first figure asked of it.
//
// It answers only where it knows every stored event: in the process whose
// ingest sink feeds it (liveIndexFeed), on the embedded engine (with
// CLICKHOUSE_URL other nodes ingest too), for a window after what it pruned.
// Rows written into the events table by any other path in this process
// (lib/store/run-query.ts tells of each) drop every project's index, which
// the next figure hydrates again. Elsewhere the figures read the table.

interface ProjectIndex {
  index: LiveIndex
  /** The longest liveness window asked: kept entries reach back coverage + this. */
  windowMs: number
  ready: boolean
  lastReadAt: number
  /** When a stored batch last had events of the project: an index is kept while its tabs report, read or not. */
  lastFedAt: number
  /** When its hydration failed: the table answers, and the next try waits HYDRATION_RETRY_MS. */
  failedAt?: number
  /** When it outgrew MAX_SESSIONS and was emptied: the table answers for TOO_LARGE_RETRY_MS. */
  tooLargeAt?: number
}

interface State {
  projects: Map<string, ProjectIndex>
  /** Bumped by every invalidation: a hydration begun before it is dropped. */
  generation: number
  timer: ReturnType<typeof setInterval> | null
  /** The server's periodic build of new projects' indexes (startLiveIndexWarming). */
  warmTimer?: ReturnType<typeof setInterval>
  unsubscribe: (() => void) | null
}

// How often every index forgets what left its coverage, and how long a project nobody asks about and
// no tab reports to keeps one.
const PRUNE_EVERY_MS = 5_000
const IDLE_DROP_MS = 10 * 60_000
const HYDRATION_RETRY_MS = 10_000
const TOO_LARGE_RETRY_MS = 10 * 60_000

// The sessions one project's index may hold (live, or heard within the lookback's hour), about 650 bytes
// each: 1.5 × the exact limit. Past it, as when someone with the public ingest key invents sessions by
// the thousand, its memory is given back and the table answers, as it does above the exact limit.
const maxSessions = () => Math.ceil(config().exactLiveSessions * 1.5)
// The sessions every project's index may hold together: past it, the indexes read longest ago are dropped.
const maxSessionsInAll = () => 2 * maxSessions()

const state = () => processSingleton<{ current: State | null }>('liveIndex', () => ({ current: null }))

// The index's own reads (its builds, the warming, first-seen times) go to the
// background connection with the rollups: nobody waits on them (the table
// answers meanwhile), and on the read connections they queued pages.
const indexRead = <Row>(name: string, sql: string, params: Record<string, unknown>) => runQuery<Row>(name, sql, params, store().background)

function coverageMs(): number {
  return config().liveIndexCoverageSeconds * 1000
}

/**
 * Turns the index on in this process and returns what the events' sink calls
 * with each batch it stored; null where no index is kept (a ClickHouse
 * server, or coverage 0).
 */
export function liveIndexFeed(): { wanted: () => boolean; stored: typeof feedStored; missed: () => void } | null {
  if (config().clickhouseUrl || coverageMs() === 0) return null
  const s = state()
  if (!s.current) {
    const current: State = { projects: new Map(), generation: 0, timer: null, unsubscribe: null }
    current.timer = setInterval(() => pruneAll(current), PRUNE_EVERY_MS)
    current.timer.unref()
    current.unsubscribe = onEventsWritten(() => invalidateLiveIndex())
    s.current = current
  }
  return { wanted: indexBuilt, stored: feedStored, missed: invalidateLiveIndex }
}

/** Turns the index off (the sink closed): nothing feeds it any more. */
export function stopLiveIndexFeed(): void {
  const s = state()
  if (!s.current) return
  if (s.current.timer) clearInterval(s.current.timer)
  if (s.current.warmTimer) clearInterval(s.current.warmTimer)
  s.current.unsubscribe?.()
  s.current = null
}

/** Drops every project's index: rows reached the events table without feeding it. */
export function invalidateLiveIndex(): void {
  const current = state().current
  if (!current) return
  current.generation++
  current.projects.clear()
}

/**
 * The index that answers for `projectId` at `at` over a window of `windowMs`,
 * or null (the caller reads the table). The first ask starts its hydration
 * and is answered by the table meanwhile.
 */
export function liveIndexFor(projectId: string, at: number, windowMs: number): LiveIndex | null {
  const current = state().current
  if (!current) return null
  let project = current.projects.get(projectId)
  if (project?.tooLargeAt !== undefined) {
    if (Date.now() - project.tooLargeAt < TOO_LARGE_RETRY_MS) return null
    current.projects.delete(projectId)
    project = undefined
  }
  if (project && (windowMs > project.windowMs || (project.failedAt !== undefined && Date.now() - project.failedAt > HYDRATION_RETRY_MS))) {
    // A longer window than the index keeps (the project's setting changed), or a failed hydration's retry: built again.
    current.projects.delete(projectId)
    project = undefined
  }
  if (!project) {
    void hydrate(current, projectId, windowMs)
    return null
  }
  project.lastReadAt = Date.now()
  return project.ready && project.index.covers(at, windowMs) ? project.index : null
}

// Up to this many sessions are asked for by id; more (every session since an
// index built at the node's start, say: at 100,000 tabs a 3 MB list that took
// the engine 30 s) by the window's sessions, in one subquery.
const FIRST_SEEN_LIST_MAX = 2_000
// One read of first-seen times per index at a time: two figures asking at once would read the same sessions twice.
const firstSeenReads = new WeakMap<LiveIndex, Promise<void>>()

/** Reads session_first_seen for the live sessions at `at` that the index has not read it for (liveTabs' and versionTabAges' tab ages). */
export async function readMissingFirstSeen(projectId: string, index: LiveIndex, at: number, windowMs: number, listMax = FIRST_SEEN_LIST_MAX): Promise<void> {
  const pending = firstSeenReads.get(index)
  if (pending) await pending.catch(() => undefined)
  const ids = index.unknownFirstSeen(at, windowMs)
  if (ids.length === 0) return
  const read = readFirstSeen(projectId, index, ids, at, windowMs, listMax).finally(() => {
    if (firstSeenReads.get(index) === read) firstSeenReads.delete(index)
  })
  firstSeenReads.set(index, read)
  await read
}

async function readFirstSeen(projectId: string, index: LiveIndex, ids: string[], at: number, windowMs: number, listMax: number): Promise<void> {
  const byWindow = ids.length > listMax
  const rows = await indexRead<{ session_id: string; first_seen: number | string }>(
    byWindow ? 'liveIndex.firstSeenOfWindow' : 'liveIndex.firstSeen',
    `SELECT session_id, toUnixTimestamp64Milli(min(first_seen)) AS first_seen
     FROM ${qualified(sessionFirstSeenTable)}
     WHERE project_id = {project:String} AND session_id IN ${
       byWindow
         ? `(SELECT session_id FROM ${table('events')} WHERE project_id = {project:String}
              AND event_time > fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND event_time <= fromUnixTimestamp64Milli({at:Int64}, 'UTC'))`
         : '{ids:Array(String)}'
     }
     GROUP BY session_id`,
    byWindow ? { project: projectId, from: at - windowMs, at } : { project: projectId, ids },
  )
  const found = new Map(rows.map((r) => [r.session_id, Number(r.first_seen)]))
  for (const id of ids) index.setFirstSeen(id, found.get(id) ?? null)
}

/** Whether any project's index is kept (built or being built): only then are stored rows worth reading. */
function indexBuilt(): boolean {
  const current = state().current
  if (!current) return false
  for (const project of current.projects.values()) if (project.tooLargeAt === undefined) return true
  return false
}

function feedStored(columns: readonly string[], storedRows: () => readonly (readonly unknown[])[]): void {
  const current = state().current
  if (!current || current.projects.size === 0) return
  const rows = storedRows()
  if (rows.length === 0) return
  const at = columnPositions(columns)
  if (!at) {
    log.warn('live index: stored rows lack a column it needs; dropped, the figures read the table until it is built again', { columns: columns.join(',') })
    invalidateLiveIndex()
    return
  }
  const fed = new Set<ProjectIndex>()
  for (const row of rows) {
    const project = current.projects.get(String(row[at.project_id]))
    if (!project || project.tooLargeAt !== undefined) continue
    project.index.add(liveEvent(row, at))
    fed.add(project)
  }
  const now = Date.now()
  for (const project of fed) {
    project.lastFedAt = now
    checkSize(project)
  }
}

function checkSize(project: ProjectIndex): void {
  if (project.index.size > maxSessions()) tooLarge(project, `with ${project.index.size} sessions`)
}

function tooLarge(project: ProjectIndex, when: string): void {
  log.warn(`live index: a project holds more sessions than it keeps in memory (${when}); the figures read the events table for a while`, { max: maxSessions() })
  project.tooLargeAt = Date.now()
  project.ready = false
  project.index = new LiveIndex(Infinity)
}

const NEEDED = ['project_id', 'session_id', 'event_time', 'version', 'type', 'visibility', 'idle', 'unsaved'] as const
type Positions = Record<(typeof NEEDED)[number], number>

let lastColumns: readonly string[] | null = null
let lastPositions: Positions | null = null
function columnPositions(columns: readonly string[]): Positions | null {
  if (columns === lastColumns) return lastPositions
  const positions = {} as Positions
  for (const name of NEEDED) {
    const i = columns.indexOf(name)
    if (i < 0) return null
    positions[name] = i
  }
  lastColumns = columns
  lastPositions = positions
  return positions
}

function liveEvent(row: readonly unknown[], at: Positions): LiveEvent {
  return {
    sessionId: String(row[at.session_id]),
    eventTime: Number(row[at.event_time]),
    version: String(row[at.version]),
    type: String(row[at.type]),
    visibility: String(row[at.visibility] ?? ''),
    idle: Number(row[at.idle]) === 1,
    unsaved: Number(row[at.unsaved]) === 1,
  }
}

function pruneAll(current: State): void {
  const now = Date.now()
  let sessions = 0
  for (const [id, project] of current.projects) {
    if (now - Math.max(project.lastReadAt, project.lastFedAt) > IDLE_DROP_MS) current.projects.delete(id)
    else {
      project.index.prune(now - coverageMs() - project.windowMs)
      sessions += project.index.size
    }
  }
  // Many projects' tabs together past the bound: the indexes read longest ago go first (map order is insertion: sort).
  if (sessions <= maxSessionsInAll()) return
  for (const [id, project] of [...current.projects].sort((a, b) => a[1].lastReadAt - b[1].lastReadAt)) {
    if (sessions <= maxSessionsInAll()) break
    sessions -= project.index.size
    current.projects.delete(id)
    log.warn('live index: the projects kept in memory hold more sessions than allowed together; the one read longest ago is dropped', { projectId: id, max: maxSessionsInAll() })
  }
}

/**
 * Builds the index of every project with tabs live now and none yet, one
 * after another, and reads the tab ages of sessions that began since; the
 * server does so when it starts and every
 * WARM_EVERY_MS after (startLiveIndexWarming). The first dashboard opened
 * after a restart, or on a project whose tabs just began to report, then
 * reads it ready, instead of starting its build and waiting on the table
 * beside the build's own read (at 100,000 tabs, seconds).
 */
export async function warmLiveIndexes(): Promise<void> {
  const current = state().current
  if (!current) return
  const windows = new Map((await allProjects()).map((p) => [p.id, p.livenessWindowSeconds]))
  if (windows.size === 0) return
  const longest = Math.max(...windows.values()) * 1000
  // By the projects' ids, so the read goes through the primary key (project, time) instead of scanning the day's events.
  const live = await indexRead<{ project_id: string }>(
    'liveIndex.liveProjects',
    `SELECT DISTINCT project_id FROM ${table('events')}
     WHERE project_id IN {projects:Array(String)} AND event_time > fromUnixTimestamp64Milli({since:Int64}, 'UTC')`,
    { projects: [...windows.keys()], since: Date.now() - coverageMs() - longest },
  )
  for (const { project_id: projectId } of live) {
    const windowSeconds = windows.get(projectId)
    if (windowSeconds === undefined || state().current !== current || current.projects.has(projectId)) continue
    // Past the bound for all projects, new ones wait for a read (which drops the one read longest ago).
    let kept = 0
    for (const project of current.projects.values()) kept += project.index.size
    if (kept >= maxSessionsInAll()) return
    await hydrate(current, projectId, windowSeconds * 1000)
  }
  // The first-seen times of sessions that began since (the tab ages), read here rather than by the first figure that needs them.
  for (const [projectId, project] of current.projects) {
    if (!project.ready || project.tooLargeAt !== undefined || state().current !== current) continue
    const now = Date.now()
    if (project.index.covers(now, project.windowMs)) await readMissingFirstSeen(projectId, project.index, now, project.windowMs)
  }
}

// One read of everything the index keeps: the events after its start, the
// last visibility of each session in the hour before, and session_first_seen
// of the sessions with events. The project's entry exists before the reads
// begin, so a batch stored meanwhile is fed to it too: it is then both read
// and fed, which adding to a set makes harmless.
function hydrate(current: State, projectId: string, windowMs: number): Promise<void> {
  const now = Date.now()
  const start = now - coverageMs() - windowMs
  const project: ProjectIndex = { index: new LiveIndex(start), windowMs, ready: false, lastReadAt: now, lastFedAt: now }
  current.projects.set(projectId, project)
  const generation = current.generation
  const params = { project: projectId, start, since: start - VISIBILITY_LOOKBACK_MS }
  const events = table('events')
  const readCovered = () => Promise.all([
    indexRead<{ session_id: string; t: number | string; version: string; type: string; visibility: string; idle: number; unsaved: number }>(
      'liveIndex.hydrate',
      `SELECT session_id, toUnixTimestamp64Milli(event_time) AS t, version, type, visibility, idle, unsaved
       FROM ${events}
       WHERE project_id = {project:String} AND event_time > fromUnixTimestamp64Milli({start:Int64}, 'UTC')`,
      params,
    ),
    indexRead<{ session_id: string; t: number | string; vis: string }>(
      'liveIndex.hydrateVisibility',
      `SELECT session_id, toUnixTimestamp64Milli(max(event_time)) AS t, argMax(visibility, event_time) AS vis
       FROM ${events}
       WHERE project_id = {project:String} AND visibility != ''
         AND event_time > fromUnixTimestamp64Milli({since:Int64}, 'UTC')
         AND event_time <= fromUnixTimestamp64Milli({start:Int64}, 'UTC')
       GROUP BY session_id`,
      params,
    ),
    indexRead<{ session_id: string; first_seen: number | string }>(
      'liveIndex.hydrateFirstSeen',
      `SELECT session_id, toUnixTimestamp64Milli(min(first_seen)) AS first_seen
       FROM ${qualified(sessionFirstSeenTable)}
       WHERE project_id = {project:String}
         AND session_id IN (SELECT session_id FROM ${events} WHERE project_id = {project:String} AND event_time > fromUnixTimestamp64Milli({start:Int64}, 'UTC'))
       GROUP BY session_id`,
      params,
    ),
  ])
  // Counted first, so a project past the bound (sessions invented with the
  // public key, say) never brings its whole window into this process's memory.
  const read = indexRead<{ sessions: number | string }>(
    'liveIndex.hydrateCount',
    `SELECT uniq(session_id) AS sessions FROM ${events}
     WHERE project_id = {project:String} AND event_time > fromUnixTimestamp64Milli({start:Int64}, 'UTC')`,
    params,
  ).then(([counted]) => (Number(counted?.sessions ?? 0) > maxSessions() ? null : readCovered()))
  return read.then(
    (covered) => {
      if (current.generation !== generation || current.projects.get(projectId) !== project || project.tooLargeAt !== undefined) return
      if (covered === null) {
        tooLarge(project, 'at its hydration')
        return
      }
      const [rows, visibilities, firstSeen] = covered
      const index = project.index
      for (const r of rows) {
        index.add({ sessionId: r.session_id, eventTime: Number(r.t), version: r.version, type: r.type, visibility: r.visibility, idle: Number(r.idle) === 1, unsaved: Number(r.unsaved) === 1 })
      }
      for (const r of visibilities) index.addEarlierVisibility(r.session_id, Number(r.t), r.vis)
      for (const r of firstSeen) index.setFirstSeen(r.session_id, Number(r.first_seen))
      project.ready = true
      checkSize(project)
    },
    (error: unknown) => {
      // The figures read the table meanwhile; an ask after HYDRATION_RETRY_MS tries again.
      project.failedAt = Date.now()
      log.warn('live index: hydration failed; the figures read the events table', { projectId, error: errorMessage(error) })
    },
  )
}

const WARM_EVERY_MS = 30_000

/** Stops the server's warming (the feed's stop does too). */
export function stopLiveIndexWarming(): void {
  const current = state().current
  if (current?.warmTimer) clearInterval(current.warmTimer)
  if (current) current.warmTimer = undefined
}

/** Whether the project's index is built and answering, without starting one (liveIndexFor does). */
export function liveIndexReady(projectId: string): boolean {
  const project = state().current?.projects.get(projectId)
  return project !== undefined && project.ready && project.tooLargeAt === undefined
}

/** The server's warming: now, then every `everyMs`, never two at once; stopped with the feed. */
export function startLiveIndexWarming(everyMs = WARM_EVERY_MS): void {
  const current = state().current
  if (!current || current.warmTimer) return
  let running = false
  const warm = () => {
    if (running) return
    running = true
    warmLiveIndexes()
      .catch((error: unknown) => log.warn('live index: could not look for projects to build it for; the first figure asked builds it', { error: errorMessage(error) }))
      .finally(() => {
        running = false
      })
  }
  current.warmTimer = setInterval(warm, everyMs)
  current.warmTimer.unref()
  warm()
}
