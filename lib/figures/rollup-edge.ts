import type { TableDef } from '../store/ddl'
import { backgroundCommand } from '../store/background'
import { runQuery } from '../store/run-query'
import { qualified } from '../store/tables'
import { processSingleton } from '../process-singleton'
import { figuresChanged } from './shared-reads'

// The rollup's edge per project: every figure reads finalised minutes before
// it from its rollup table and the minutes after it from raw events, through
// the same SELECT. lib/rollup-runner/ moves it forward.

export interface RollupState {
  /** Minutes before this boundary (live boundaries up to and including it) are finalised. 0 when never rolled up. */
  through: number
  runStartedAt: number
}

const time = "DateTime64(3, 'UTC')"

// Created by migration 0010.
export const rollupStateTable: TableDef = {
  name: 'rollup_state',
  columns: [
    ['project_id', 'String'],
    // Every minute before this boundary is finalised in the rollup tables.
    ['through', time],
    // When the run that set `through` started: events received after it may be late.
    ['run_started_at', time],
    ['updated_at', time],
  ],
  engine: 'ReplacingMergeTree(updated_at)',
  orderBy: 'project_id',
}

// Readers may use a `through` a few seconds old: it only ever moves forward,
// and minutes after it are read from raw events, so an older value costs a
// little speed, never correctness. Saves a round trip per chart.
const CACHE_MS = 5_000
const cache = () => processSingleton('rollupStateCache', () => new Map<string, { state: Promise<RollupState>; at: number }>())

/** The rollup's edge for queries, cached briefly; one read in flight serves every page that asks meanwhile. */
export async function rollupThrough(projectId: string): Promise<number> {
  const hit = cache().get(projectId)
  if (hit && Date.now() - hit.at < CACHE_MS) return (await hit.state).through
  const entry = { state: readRollupState(projectId), at: Date.now() }
  cache().set(projectId, entry)
  entry.state.catch(() => {
    if (cache().get(projectId) === entry) cache().delete(projectId)
  })
  return (await entry.state).through
}

/** The edge a reader uses: none (everything raw) for source 'raw', the tests' and the bench's cross-check. */
export const throughFor = (projectId: string, source: 'auto' | 'raw' | undefined): Promise<number> =>
  source === 'raw' ? Promise.resolve(0) : rollupThrough(projectId)

/**
 * A window of whole minutes [from, to) split at the edge: the rollup table
 * covers [from, rolledTo), raw rows [rawFrom, to); either may be empty.
 */
export async function minutesAtEdge(projectId: string, from: number, to: number, source: 'auto' | 'raw' | undefined): Promise<{ from: number; rolledTo: number; rawFrom: number }> {
  const start = Math.floor(from / 60_000) * 60_000
  const through = await throughFor(projectId, source)
  return { from: start, rolledTo: Math.min(to, through), rawFrom: Math.max(start, through) }
}

export async function readRollupState(projectId: string): Promise<RollupState> {
  const rows = await runQuery<{ through: number; run_started_at: number }>(
    'rollups.readState',
    `SELECT toUnixTimestamp64Milli(argMax(through, updated_at)) AS through, toUnixTimestamp64Milli(argMax(run_started_at, updated_at)) AS run_started_at
     FROM ${qualified(rollupStateTable)} WHERE project_id = {project:String} HAVING count() > 0`,
    { project: projectId },
  )
  const row = rows[0]
  return row ? { through: Number(row.through), runStartedAt: Number(row.run_started_at) } : { through: 0, runStartedAt: 0 }
}

export async function writeRollupState(projectId: string, state: RollupState): Promise<void> {
  cache().delete(projectId)
  await backgroundCommand(
    'rollups.writeState',
    `INSERT INTO ${qualified(rollupStateTable)} (project_id, through, run_started_at, updated_at)
     VALUES ({project:String}, fromUnixTimestamp64Milli({through:Int64}, 'UTC'), fromUnixTimestamp64Milli({started:Int64}, 'UTC'), now64(3))`,
    { project: projectId, through: state.through, started: state.runStartedAt },
  )
  // After the write: a figure read before it may hold minutes the run has since finalised again.
  figuresChanged(projectId)
}
