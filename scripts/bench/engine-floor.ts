import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

// The engine's own floor, in a child process of its own (its own chDB data
// directory): the same rows the ingest path stores, with the same columns,
// stored by the embedded engine with nothing of ours around it.
//
// It answers three questions over IPC ({ type: 'run', rows, seconds }):
// - CPU per row of each input format the embedded engine accepts, into a
//   copy of the events table without views, with merges stopped so only the
//   insert is counted (process CPU time of this process, which is the engine:
//   the rows are encoded before the clock starts). CPU time, not wall time,
//   so a busy machine moves it little.
// - the cost of the first-seen materialized views on the insert path, and
//   of the same aggregation run later from stored rows (as a rollup would);
// - the store rate in the cheapest format, merges running as in production,
//   with one insert in flight and with two (two connections), interleaved.

interface RunMessage {
  type: 'run'
  rows: number
  seconds: number
}

export interface FormatCost {
  format: string
  how: string
  cpuUsPerRow: number
  wallUsPerRow: number
}

export interface StoreRate {
  inFlight: number
  rowsPerSec: number
  cpuUsPerRow: number
}

export interface FloorResult {
  rows: number
  formats: FormatCost[]
  cheapest: string
  views: { plainUsPerRow: number; withViewsUsPerRow: number; rollupUsPerRow: number }
  rates: StoreRate[]
}

const MiB = 1024 * 1024

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'stalewatch-bench-floor-'))
  process.env.STALEWATCH_DATA_DIR = dataDir
  process.env.CLICKHOUSE_URL = ''
  const { migrate } = await import('../../lib/store/migrate')
  await migrate()
  const { EVENT_COLUMNS, eventValues } = await import('../../lib/events/row')
  const { table } = await import('../../lib/store/tables')
  const { createRequire } = await import('node:module')
  const require = createRequire(import.meta.url)
  const { Session } = require('chdb') as typeof import('chdb')
  const sessions = [new Session(dataDir), new Session(dataDir)]
  const [s] = sessions as [InstanceType<typeof Session>]
  const events = table('events')
  const db = events.split('.')[0]!
  // The same columns, engine and sorting key as events, and no views on it.
  const plain = `${db}.floor_events`
  s.query(`CREATE TABLE IF NOT EXISTS ${plain} AS ${events}`)
  const columns = [...EVENT_COLUMNS]
  const typeRows = JSON.parse(`[${s.query(`SELECT name, type FROM system.columns WHERE database = '${db}' AND table = 'events'`, 'JSONEachRow').trim().split('\n').join(',')}]`) as { name: string; type: string }[]
  const types = new Map(typeRows.map((r) => [r.name, r.type]))
  // Files declare plain String where the table has LowCardinality(String): parsed into String, converted a block at a time.
  const structure = (lowCardinality: boolean) => columns.map((c) => `${c} ${lowCardinality ? types.get(c)! : types.get(c)!.replace(/^LowCardinality\((.*)\)$/, '$1')}`).join(', ')
  const literal = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
  let token = 0
  const nextToken = () => `floor-${process.pid}-${token++}`
  const cpu = () => {
    const u = process.cpuUsage()
    return u.user + u.system
  }

  process.on('message', (message: RunMessage | { type: 'stop' }) => {
    void (async () => {
      if (message.type === 'stop') {
        rmSync(dataDir, { recursive: true, force: true })
        process.exit(0)
      }
      const n = message.rows
      // Rows as the pipeline makes them: heartbeats of many sessions, three versions, a few errors.
      const now = Date.now()
      const rows = Array.from({ length: n }, (_, i) => {
        const session = (i * 7919) % Math.max(1, Math.floor(n / 3))
        const t = now - n + i
        return eventValues({
          project_id: 'p_floor_bench_project',
          event_id: `e${(i * 2654435761) >>> 0}_${i}`,
          session_id: `s${session.toString(36)}_${((session * 31) >>> 0).toString(36)}`,
          load_id: `l${session.toString(36)}`,
          version: `1.${i % 3}.0`,
          type: i % 50 === 0 ? 'error' : 'heartbeat',
          event_time: t,
          client_ts: t - 40,
          received_at: t + 5,
          visibility: i % 3 ? 'visible' : 'hidden',
          navigation: '',
          previous_version: '',
          reason: '',
          action: '',
          latest: '',
          message: i % 50 === 0 ? 'TypeError: Cannot read properties of undefined (reading "x")' : '',
          browser: 'Chrome',
          browser_major: 131,
        })
      })
      const named = (r: unknown[]) => JSON.stringify(Object.fromEntries(columns.map((c, i) => [c, r[i]])))
      const tsv = (v: unknown, i: number) => (i >= 6 && i <= 8 ? String((v as number) / 1000) : String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n'))
      const csv = (v: unknown, i: number) => (i >= 6 && i <= 8 ? String((v as number) / 1000) : `"${String(v).replace(/"/g, '""')}"`)
      const bodies: Record<string, Buffer> = {
        JSONEachRow: Buffer.from(rows.map(named).join('\n') + '\n'),
        JSONCompactEachRow: Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n') + '\n'),
        TSV: Buffer.from(rows.map((r) => r.map(tsv).join('\t')).join('\n') + '\n'),
        CSV: Buffer.from(rows.map((r) => r.map(csv).join(',')).join('\n') + '\n'),
      }
      // The ingest log's own segment: its column line, then the same rows.
      const segment = path.join(dataDir, 'segment.jsonl')
      writeFileSync(segment, JSON.stringify(columns) + '\n' + bodies.JSONCompactEachRow!.toString())
      const files: Record<string, string> = {}
      for (const format of ['RowBinary', 'Native', 'Parquet', 'Arrow']) {
        files[format] = path.join(dataDir, `rows.${format.toLowerCase()}`)
        s.query(`INSERT INTO FUNCTION file(${literal(files[format]!)}, '${format}', ${literal(structure(false))}) SELECT * FROM file(${literal(segment)}, 'JSONCompactEachRowWithNames', ${literal(structure(false))}) SETTINGS engine_file_truncate_on_insert = 1`)
      }
      s.query(`SYSTEM STOP MERGES ${plain}`)
      s.query(`SYSTEM STOP MERGES ${events}`)
      for (const t of ['version_first_seen', 'session_first_seen']) s.query(`SYSTEM STOP MERGES ${db}.${t}`)

      const reps = 5
      const timed = async (insert: () => Promise<unknown>): Promise<{ cpu: number; wall: number }> => {
        const cpus: number[] = []
        const walls: number[] = []
        for (let r = 0; r < reps; r++) {
          const c0 = cpu()
          const w0 = performance.now()
          await insert()
          cpus.push((cpu() - c0) / n)
          walls.push(((performance.now() - w0) * 1000) / n)
        }
        const median = (a: number[]) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)]!
        return { cpu: median(cpus), wall: median(walls) }
      }
      const rawInsert = (target: string, format: string) => () =>
        s.insert({ table: target, columns, values: bodies[format]!, format: format as 'TSV', settings: { insert_deduplication_token: nextToken() } })
      const fileInsert = (target: string, file: string, format: string, session = s) => () =>
        session.queryAsync(`INSERT INTO ${target} (${columns.join(', ')}) SETTINGS insert_deduplication_token = '${nextToken()}' SELECT ${columns.join(', ')} FROM file(${literal(file)}, '${format}', ${literal(structure(false))})`)

      const formats: FormatCost[] = []
      const add = async (format: string, how: string, insert: () => Promise<unknown>) => {
        const t = await timed(insert)
        formats.push({ format, how, cpuUsPerRow: t.cpu, wallUsPerRow: t.wall })
      }
      for (const format of ['JSONEachRow', 'JSONCompactEachRow', 'TSV', 'CSV']) await add(format, 'INSERT … FORMAT (chDB rawInsert: parsed into the table\'s LowCardinality columns)', rawInsert(plain, format))
      await add('JSONCompactEachRowWithNames', 'the ingest log\'s segment file, read by file() as String columns', fileInsert(plain, segment, 'JSONCompactEachRowWithNames'))
      for (const format of ['RowBinary', 'Native', 'Parquet', 'Arrow']) await add(format, 'a file of the same rows, read by file() as String columns', fileInsert(plain, files[format]!, format))
      const cheapest = formats.reduce((a, b) => (b.cpuUsPerRow < a.cpuUsPerRow ? b : a))
      const cheapestInsert = (session = s) => (cheapest.format === 'JSONCompactEachRowWithNames' ? fileInsert(plain, segment, cheapest.format, session) : cheapest.how.startsWith('INSERT') ? rawInsert(plain, cheapest.format) : fileInsert(plain, files[cheapest.format]!, cheapest.format, session))

      // The first-seen views, on the insert path (events has them) or later from stored rows.
      const withViews = await timed(fileInsert(events, segment, 'JSONCompactEachRowWithNames'))
      const withoutViews = await timed(fileInsert(plain, segment, 'JSONCompactEachRowWithNames'))
      const parts = s
        .query(`SELECT name FROM system.parts WHERE database = '${db}' AND table = 'floor_events' AND active ORDER BY modification_time DESC LIMIT ${reps}`, 'TSV')
        .trim()
        .split('\n')
      let part = 0
      const rollup = await timed(async () => {
        const from = `FROM ${plain} WHERE _part = ${literal(parts[part++ % parts.length]!)}`
        await s.queryAsync(`INSERT INTO ${db}.session_first_seen SELECT project_id, session_id, min(event_time) ${from} GROUP BY project_id, session_id`)
        await s.queryAsync(`INSERT INTO ${db}.version_first_seen SELECT project_id, version, min(received_at), max(event_time) ${from} GROUP BY project_id, version`)
      })

      // Store rate, merges running as in production: back-to-back inserts for `seconds`, one or two in flight.
      s.query(`SYSTEM START MERGES ${plain}`)
      const rates: StoreRate[] = []
      for (let round = 0; round < 2; round++) {
        for (const inFlight of [1, 2]) {
          const c0 = cpu()
          const w0 = performance.now()
          let stored = 0
          const lane = async (session: InstanceType<typeof Session>) => {
            const insert = cheapestInsert(session)
            while (performance.now() - w0 < message.seconds * 1000) {
              await insert()
              stored += n
            }
          }
          await Promise.all(sessions.slice(0, inFlight).map(lane))
          const seconds = (performance.now() - w0) / 1000
          rates.push({ inFlight, rowsPerSec: stored / seconds, cpuUsPerRow: (cpu() - c0) / stored })
        }
      }
      process.send?.({
        type: 'result',
        result: {
          rows: n,
          formats,
          cheapest: cheapest.format,
          views: { plainUsPerRow: withoutViews.cpu, withViewsUsPerRow: withViews.cpu, rollupUsPerRow: rollup.cpu },
          rates,
        } satisfies FloorResult,
        rssMiB: process.memoryUsage().rss / MiB,
      })
    })().catch((error: unknown) => process.send?.({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }))
  })
  process.send?.({ type: 'ready' })
}

main().catch((error: unknown) => {
  console.error(`engine floor failed: ${error instanceof Error ? error.stack : String(error)}`)
  process.exit(1)
})
