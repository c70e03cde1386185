import { errorMessage, log } from '../log'
import { processSingleton } from '../process-singleton'
import { insertRows, runQuery } from '../store/run-query'
import { table } from '../store/tables'
import { readSessionValue, SESSION_TTL_MS, type SessionClaims } from './session-cookie'

// Server-side revocation of dashboard sessions. Every cookie-authenticated
// request asks whether its session was revoked, so the answer comes from a
// snapshot of the revocations in memory, reloaded at most every REFRESH_MS:
// a Set lookup per request, one small query every two seconds at most. A
// revocation made by this process applies at once; one made on another node
// (several nodes on one ClickHouse) within REFRESH_MS.

const REFRESH_MS = 2_000
/** A session id of this value revokes every session issued at or before revoked_at. */
const EVERY_SESSION = '*'

interface Snapshot {
  ids: ReadonlySet<string>
  everyUpTo: number
  loadedAt: number
}

interface State {
  snapshot?: Snapshot
  loading?: Promise<Snapshot>
  /** This process's own revocations, laid over every snapshot (a load started before one must not undo it). */
  local: Map<string, number>
  localEveryUpTo: number
}

// One per process (lib/process-singleton.ts): Next.js bundles route modules and pages apart, and they must share one view.
function state(): State {
  return processSingleton('sessionRevocations', (): State => ({ local: new Map(), localEveryUpTo: 0 }))
}

async function load(now: number): Promise<Snapshot> {
  const rows = await runQuery<{ session_id: string; revoked_at: number | string }>(
    'listSessionRevocations',
    `SELECT session_id, toUnixTimestamp64Milli(max(revoked_at)) AS revoked_at
     FROM ${table('session_revocations')}
     WHERE expires_at > fromUnixTimestamp64Milli({now:Int64}, 'UTC')
     GROUP BY session_id`,
    { now },
  )
  const ids = new Set<string>()
  let everyUpTo = 0
  for (const row of rows) {
    if (row.session_id === EVERY_SESSION) everyUpTo = Math.max(everyUpTo, Number(row.revoked_at))
    else ids.add(row.session_id)
  }
  return { ids, everyUpTo, loadedAt: now }
}

async function snapshot(now: number): Promise<Snapshot> {
  const s = state()
  if (s.snapshot && now - s.snapshot.loadedAt < REFRESH_MS) return s.snapshot
  s.loading ??= load(now)
    .then((loaded) => (s.snapshot = loaded))
    .catch((error: unknown) => {
      // Keep answering from the last snapshot while ClickHouse is away; with none, nobody is let in.
      if (!s.snapshot) throw error
      log.warn('session revocations could not be reloaded; using the last ones', { error: errorMessage(error) })
      return s.snapshot
    })
    .finally(() => {
      s.loading = undefined
    })
  return s.loading
}

export async function isRevoked(session: SessionClaims, now = Date.now()): Promise<boolean> {
  const s = state()
  if (s.local.has(session.id) || session.issuedAt <= s.localEveryUpTo) return true
  const current = await snapshot(now)
  return current.ids.has(session.id) || session.issuedAt <= current.everyUpTo
}

/** The session a cookie value stands for, if it is genuine, unexpired and not revoked. */
export async function liveSession(value: string | null | undefined, now = Date.now()): Promise<SessionClaims | null> {
  const claims = readSessionValue(value, now)
  if (!claims) return null
  return (await isRevoked(claims, now)) ? null : claims
}

/** Logout: this session's cookie stops working on every node, even if someone kept a copy. */
export async function revokeSession(session: SessionClaims, now = Date.now()): Promise<void> {
  const s = state()
  s.local.set(session.id, session.expiresAt)
  for (const [id, expiresAt] of s.local) if (expiresAt <= now) s.local.delete(id)
  await insertRows('revokeSession', table('session_revocations'), [{ session_id: session.id, revoked_at: now, expires_at: session.expiresAt }])
}

/** "Log out everywhere": every session issued until now stops working. */
export async function revokeAllSessions(now = Date.now()): Promise<void> {
  const s = state()
  s.localEveryUpTo = Math.max(s.localEveryUpTo, now)
  await insertRows('revokeAllSessions', table('session_revocations'), [{ session_id: EVERY_SESSION, revoked_at: now, expires_at: now + SESSION_TTL_MS }])
}
