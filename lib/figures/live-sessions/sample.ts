import { config } from '../../config'
import { processSingleton } from '../../process-singleton'
import { runQuery } from '../../store/run-query'
import { qualified } from '../../store/tables'
import { rollupThrough } from '../rollup-edge'
import { liveMinutesTable } from './table'

// docs/semantics.md, Accuracy: exact up to 10,000 live sessions per project;
// above that an approximation within 1 % is allowed, and the page says which
// figures are approximate. Up to STALEWATCH_EXACT_LIVE_SESSIONS live
// sessions (200,000 by default) the figures for now are exact. Above it they
// are computed on a sample of sessions: those whose cityHash64(session_id) is
// 0 modulo `oneIn`, with every event of each, so each sampled session is
// counted exactly as the definitions say (once, under its latest version, with
// its last visibility), and counts are scaled by `oneIn`. Why: counting live
// sessions groups every event of the window by session; at a million live
// tabs the engine spends most of that query on a million-key hash table
// (docs/scaling.md), which the sample makes `oneIn` times smaller.

export interface SessionSample {
  /** 1: every session (exact). n > 1: one session in n. */
  oneIn: number
  /** Live sessions at the rollup's edge, from which the sample was sized (0 before the first rollup). */
  estimatedLive: number
  /** STALEWATCH_EXACT_LIVE_SESSIONS. */
  exactLimit: number
}

export interface Approximation {
  /** One session in this many was counted, and counts were scaled by it. */
  sampledOneIn: number
  /** Sessions the sample counted. */
  sampledSessions: number
  /** Relative error of the total within which it lies with 95 % confidence (0.004 = ±0.4 %). */
  totalError95: number
  /** The limit up to which figures are exact. */
  exactLimit: number
}

/** The SQL that keeps the sampled sessions' events: fixed text, the modulus as {sampleOneIn:UInt32}. */
export const SAMPLE_FILTER = 'AND cityHash64(session_id) % {sampleOneIn:UInt32} = 0'

// The size changes only when the rollup moves its edge (every 20 s): a page's queries share one lookup.
const cache = () => processSingleton('sessionSampleCache', () => new Map<string, { through: number; sample: Promise<SessionSample> }>())

/** How the figures for now at the project's size are counted: sized from the live sessions at the rollup's edge, a minute or two old. */
export async function sessionSample(projectId: string): Promise<SessionSample> {
  const exactLimit = config().exactLiveSessions
  const through = await rollupThrough(projectId)
  if (through === 0) return { oneIn: 1, estimatedLive: 0, exactLimit }
  const hit = cache().get(projectId)
  if (hit && hit.through === through) return hit.sample
  const sample = sizeSample(projectId, through, exactLimit)
  cache().set(projectId, { through, sample })
  sample.catch(() => cache().delete(projectId))
  return sample
}

async function sizeSample(projectId: string, through: number, exactLimit: number): Promise<SessionSample> {
  const rows = await runQuery<{ live: number | string }>(
    'liveSessions.sampleSize',
    `SELECT sum(s) AS live FROM (
       SELECT version, visibility, argMax(sessions, computed_at) AS s
       FROM ${qualified(liveMinutesTable)}
       WHERE project_id = {project:String} AND minute = fromUnixTimestamp64Milli({at:Int64}, 'UTC')
       GROUP BY version, visibility)`,
    { project: projectId, at: through },
  )
  const estimatedLive = Number(rows[0]?.live ?? 0)
  return { oneIn: estimatedLive > exactLimit ? Math.ceil(estimatedLive / exactLimit) : 1, estimatedLive, exactLimit }
}

/**
 * Relative error at 95 % confidence of a count estimated as `sampled × oneIn`:
 * each session is in the sample with probability p = 1/oneIn, so the
 * estimate's relative standard error is √((1 − p) / sampled).
 */
export function sampleError95(sampled: number, oneIn: number): number {
  if (oneIn <= 1) return 0
  if (sampled === 0) return 1
  return 1.96 * Math.sqrt((1 - 1 / oneIn) / sampled)
}
