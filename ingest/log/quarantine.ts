import { readdir, readFile, stat, unlink } from 'node:fs/promises'
import { runQuery } from '../../lib/store/run-query'
import { table } from '../../lib/store/tables'
import type { SegmentInsert } from './segments'
import { checkRow, engineTakesInserts, rejectedBytes, splitSegment, storeLines, type RejectedLine, type RowLine } from './salvage'
import { quarantinePath, REJECTED_SUFFIX, rejectedName, writeQuarantineFile } from './segments'

// What `npm run ingest-log` does with the ingest log's quarantine directory:
// list it, split the whole segments in it (salvage), and try set-aside lines
// again (replay). Rows already in ClickHouse are looked up by event id and
// skipped, so a salvage or replay run any number of times, days later, still
// stores each row once (the insert tokens alone only cover recent inserts).

export type QuarantineEntry =
  | { kind: 'rejected'; name: string; lines: RejectedLine[] }
  | { kind: 'segment'; name: string; bytes: number }

export async function listQuarantine(logDir: string): Promise<QuarantineEntry[]> {
  let names: string[]
  try {
    names = (await readdir(quarantinePath(logDir))).filter((n) => n.endsWith('.jsonl')).sort()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  const entries: QuarantineEntry[] = []
  for (const name of names) {
    const file = quarantinePath(logDir, name)
    if (name.endsWith(REJECTED_SUFFIX)) entries.push({ kind: 'rejected', name, lines: await readRejected(file) })
    else entries.push({ kind: 'segment', name, bytes: (await stat(file)).size })
  }
  return entries
}

/** A rejected file's lines; a line that is not one (edited by hand) is an error naming it. */
export async function readRejected(file: string): Promise<RejectedLine[]> {
  const text = await readFile(file, 'utf8')
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        const r = JSON.parse(l) as RejectedLine
        if (typeof r.segment === 'string' && Number.isInteger(r.line) && Array.isArray(r.columns) && (typeof r.text === 'string' || typeof r.base64 === 'string')) return r
      } catch {
        // Reported below.
      }
      throw new Error(`${file}, line ${i + 1}: not a set-aside line (needs segment, line, columns and text or base64)`)
    })
}

/** Line numbers of rows whose event id is already stored for their project. */
async function alreadyStored(columns: readonly string[], rows: readonly RowLine[]): Promise<Set<number>> {
  const [p, e, t] = ['project_id', 'event_id', 'event_time'].map((c) => columns.indexOf(c))
  const found = new Set<number>()
  if (p === -1 || e === -1) return found
  const byProject = new Map<string, RowLine[]>()
  for (const r of rows) {
    const project = String(r.values[p!])
    byProject.set(project, [...(byProject.get(project) ?? []), r])
  }
  for (const [project, lines] of byProject) {
    for (let i = 0; i < lines.length; i += 10_000) {
      const chunk = lines.slice(i, i + 10_000)
      const times = chunk.map((r) => r.values[t!]).filter((v): v is number => typeof v === 'number')
      // Bounds on event_time let the primary key skip the rest of the project's rows.
      const bounded = t !== -1 && times.length === chunk.length
      const rowsFound = await runQuery<{ event_id: string }>(
        'ingestLog.alreadyStored',
        `SELECT DISTINCT event_id FROM ${table('events')}
         WHERE project_id = {project:String} AND event_id IN {ids:Array(String)}
         ${bounded ? `AND event_time BETWEEN fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND fromUnixTimestamp64Milli({to:Int64}, 'UTC')` : ''}`,
        { project, ids: chunk.map((r) => String(r.values[e!])), ...(bounded ? { from: Math.min(...times), to: Math.max(...times) } : {}) },
      )
      const ids = new Set(rowsFound.map((r) => r.event_id))
      for (const r of chunk) if (ids.has(String(r.values[e!]))) found.add(r.line)
    }
  }
  return found
}

export interface RunResult {
  stored: number
  alreadyStored: number
  setAside: number
  /** Column lines of damaged segments, dropped by a replay: they hold no row. */
  droppedHeaders: number
  /** The lines this run set aside (or left aside), each with its kind and reason. */
  lines: RejectedLine[]
}

export interface RunOptions {
  logDir: string
  insert: (segment: SegmentInsert) => Promise<void>
  /** Columns for lines whose column line is lost (salvage), or instead of the recorded ones (replay). */
  columns: readonly string[]
  overrideColumns?: boolean
  maxInserts?: number
}

async function storeNew(segment: string, columns: string[], rows: RowLine[], options: RunOptions) {
  const stored = await alreadyStored(columns, rows)
  const fresh = rows.filter((r) => !stored.has(r.line))
  // A refusal with any code sets the line aside while the engine takes an
  // empty insert: only an outage stops a run (log-salvage.ts).
  const result = await storeLines(fresh, {
    segment,
    columns,
    insert: options.insert,
    maxInserts: options.maxInserts ?? 10_000,
    engineAnswers: () => engineTakesInserts(options.insert, segment, columns),
  })
  return { ...result, alreadyStored: stored.size }
}

/** Splits a whole segment in quarantine: stores its good rows, sets its bad lines aside, removes it. */
export async function salvageSegment(name: string, options: RunOptions): Promise<RunResult> {
  const file = quarantinePath(options.logDir, name)
  const split = splitSegment(name, await readFile(file), options.columns)
  const result = await storeNew(name, split.columns, split.rows, options)
  const target = quarantinePath(options.logDir, rejectedName(name))
  const earlier = await readRejected(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return []
    throw error
  })
  const lines = [...split.rejected, ...result.rejected]
  const known = new Set(lines.map((r) => r.line))
  const setAside = [...lines, ...earlier.filter((r) => !known.has(r.line))].sort((a, b) => a.line - b.line)
  await writeQuarantineFile(options.logDir, rejectedName(name), setAside.map((r) => JSON.stringify(r)))
  await unlink(file)
  return { stored: result.stored, alreadyStored: result.alreadyStored, setAside: setAside.length, droppedHeaders: 0, lines }
}

/** Tries a rejected file's lines again; what is stored leaves the file, which goes when empty. */
export async function replayRejected(name: string, options: RunOptions): Promise<RunResult> {
  const lines = await readRejected(quarantinePath(options.logDir, name))
  const result: RunResult = { stored: 0, alreadyStored: 0, setAside: 0, droppedHeaders: 0, lines: [] }
  const still: RejectedLine[] = []
  const groups = new Map<string, { segment: string; columns: string[]; rows: RowLine[] }>()
  for (const r of lines) {
    if (r.kind === 'bad_header') {
      result.droppedHeaders++
      continue
    }
    const columns = options.overrideColumns ? [...options.columns] : r.columns
    const bytes = rejectedBytes(r)
    const checked = checkRow(bytes, columns)
    if (!('values' in checked)) {
      still.push({ ...r, kind: checked.kind, reason: checked.reason, columns })
      continue
    }
    const key = JSON.stringify([r.segment, columns])
    const group = groups.get(key) ?? { segment: r.segment, columns, rows: [] }
    group.rows.push({ line: r.line, bytes, values: checked.values })
    groups.set(key, group)
  }
  for (const group of groups.values()) {
    const stored = await storeNew(group.segment, group.columns, group.rows, options)
    result.stored += stored.stored
    result.alreadyStored += stored.alreadyStored
    still.push(...stored.rejected)
  }
  still.sort((a, b) => a.line - b.line)
  await writeQuarantineFile(options.logDir, name, still.map((r) => JSON.stringify(r)))
  result.setAside = still.length
  result.lines = still
  return result
}
