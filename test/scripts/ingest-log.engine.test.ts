import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { AGGREGATE_COLUMNS, aggregateValues, type AggregateRow } from '@/lib/aggregates/row'
import { EVENT_COLUMNS, eventValues } from '@/lib/events/row'
import { rejectLine } from '@/ingest/log/salvage'
import { rejectedName } from '@/ingest/log/segments'
import { resetConfigCache } from '@/lib/config'
import { closeStore } from '@/lib/store/client'
import { runQuery } from '@/lib/store/run-query'
import { table } from '@/lib/store/tables'
import { eventRowsFor } from '../support/event-rows'

// `npm run ingest-log` as an operator runs it: in its own process, on the
// data directory of a stopped server. It salvages a whole segment an older
// release quarantined, replays set-aside lines fixed by hand, stores every
// row once however often it runs, and refuses while another process holds
// the embedded engine's data directory.

const dataDir = mkdtempSync(path.join(tmpdir(), 'stalewatch-ingest-log-cmd-'))
const logDir = path.join(dataDir, 'ingest-log')
const quarantine = path.join(logDir, 'quarantine')
const project = 'p_ingest_log_cmd'

function command(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/ingest-log.ts', ...args], {
    env: { ...process.env, STALEWATCH_DATA_DIR: dataDir, STALEWATCH_INGEST_LOG_DIR: '', CLICKHOUSE_URL: '', STALEWATCH_LOG_LEVEL: 'error' },
    encoding: 'utf8',
    timeout: 120_000,
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

afterAll(() => closeStore())

describe('npm run ingest-log', () => {
  const rows = eventRowsFor(project, 30)
  const whole = '000000000000001-9-000001.jsonl'
  const replayed = '000000000000002-9-000001.jsonl'
  const fixed = eventRowsFor(project, 1)[0]!
  let stillBad = ''

  it('inspects, salvages a whole segment and replays fixed lines, storing each row once', () => {
    mkdirSync(quarantine, { recursive: true })
    const refused = eventValues(eventRowsFor(project, 1)[0]!)
    refused[6] = 'not a time'
    const body = rows.map((r) => JSON.stringify(eventValues(r)))
    body.splice(5, 0, 'garbage')
    body.splice(20, 0, JSON.stringify(refused))
    writeFileSync(path.join(quarantine, whole), JSON.stringify(EVENT_COLUMNS) + '\n' + body.join('\n') + '\n')
    // Set-aside lines of another segment: a row since fixed by hand, a damaged column line, a line still bad.
    stillBad = '["still", "bad"]'
    const lines = [
      rejectLine(replayed, 1, 'bad_header', 'damaged', EVENT_COLUMNS, Buffer.from('#"project_id"]')),
      rejectLine(replayed, 7, 'refused', 'fixed by hand since', EVENT_COLUMNS, Buffer.from(JSON.stringify(eventValues(fixed)))),
      rejectLine(replayed, 9, 'not_json', 'was garbage', EVENT_COLUMNS, Buffer.from(stillBad)),
    ]
    writeFileSync(path.join(quarantine, rejectedName(replayed)), lines.map((l) => JSON.stringify(l) + '\n').join(''))

    const help = command('--help')
    expect([help.status, help.stdout.split('\n')[0]]).toEqual([0, 'Usage: npm run ingest-log -- <inspect|salvage|replay> [options] [file…]'])
    const unknown = command('salvge')
    expect([unknown.status, unknown.stderr.split('\n')[0]]).toEqual([2, 'ingest-log: unknown command "salvge": use inspect, salvage or replay'])
    const migrated = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts'], { env: { ...process.env, STALEWATCH_DATA_DIR: dataDir, CLICKHOUSE_URL: '' }, encoding: 'utf8' })
    expect(migrated.status).toBe(0)

    const inspected = command('inspect')
    expect(inspected.status).toBe(0)
    expect(inspected.stdout).toContain(`${whole}: a whole segment`)
    expect(inspected.stdout).toMatch(new RegExp(`${rejectedName(replayed)}: 3 lines set aside`))
    expect(inspected.stdout).toMatch(/line 9 +not_json +was garbage/)

    const salvaged = command('salvage')
    expect(salvaged.stderr).toBe('')
    expect(salvaged.stdout).toContain(`[1/1] salvaging ${whole}… stored 30 rows, 0 already stored, 2 lines still set aside`)
    expect(salvaged.status).toBe(0)
    expect(existsSync(path.join(quarantine, whole))).toBe(false)
    const setAside = readFileSync(path.join(quarantine, rejectedName(whole)), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; kind: string })
    expect(setAside.map((l) => [l.line, l.kind])).toEqual([
      [7, 'not_json'],
      [22, 'refused'],
    ])
    expect(command('salvage').stdout).toContain('Nothing to salvage')

    const replay = command('replay', rejectedName(replayed))
    expect(replay.stdout).toContain('stored 1 row, 0 already stored, 1 line still set aside, 1 column line dropped')
    expect(replay.status).toBe(0)
    const left = readFileSync(path.join(quarantine, rejectedName(replayed)), 'utf8').trim().split('\n')
    expect(left.map((l) => (JSON.parse(l) as { text: string }).text)).toEqual([stillBad])

    // The fixed line comes back (say, from a backup): it is already stored and is not stored again.
    writeFileSync(
      path.join(quarantine, rejectedName(replayed)),
      JSON.stringify(rejectLine(replayed, 7, 'refused', 'again', EVENT_COLUMNS, Buffer.from(JSON.stringify(eventValues(fixed))))) + '\n',
    )
    const again = command('replay')
    expect(again.stdout).toContain(`replaying ${rejectedName(replayed)}… stored 0 rows, 1 already stored, 0 lines still set aside`)
    expect(existsSync(path.join(quarantine, rejectedName(replayed)))).toBe(false)
  }, 300_000)

  // The backend-load aggregates' own log (<log dir>/aggregates): its rows are
  // counts with no id, so storing them once rests on the insert tokens.
  const aggregateRows: AggregateRow[] = ['v1', 'v2', 'v3'].map((version, i) => ({
    project_id: project,
    kind: 'http',
    minute: Math.floor(Date.now() / 60_000) * 60 - 120,
    version,
    route_group: '/api/items/:id',
    status_class: '2xx',
    requests: 100 + i,
  }))
  const aggregateSegment = '000000000000003-9-000001.jsonl'

  it('inspects and salvages the aggregates log too, and a second salvage of the same segment sums nothing twice', () => {
    const aggregatesQuarantine = path.join(logDir, 'aggregates', 'quarantine')
    mkdirSync(aggregatesQuarantine, { recursive: true })
    const body = [JSON.stringify(AGGREGATE_COLUMNS), ...aggregateRows.map((r) => JSON.stringify(aggregateValues(r))), 'torn garbage'].join('\n') + '\n'
    writeFileSync(path.join(aggregatesQuarantine, aggregateSegment), body)

    const inspected = command('inspect')
    expect(inspected.stdout).toContain(`Aggregates log ${path.join(logDir, 'aggregates')}: 0 segments not yet stored; quarantine: 1 file`)
    expect(inspected.stdout).toContain(`${aggregateSegment}: a whole segment`)
    expect(command('salvage', '--log', 'events').stdout).toContain('Nothing to salvage')
    const badLog = command('salvage', '--log', 'metrics')
    expect([badLog.status, badLog.stderr.split('\n')[0]]).toEqual([2, 'ingest-log: --log: events or aggregates, not "metrics"'])

    const salvaged = command('salvage')
    expect(salvaged.stderr).toBe('')
    expect(salvaged.stdout).toContain(`[1/1] salvaging aggregates/${aggregateSegment}… stored 3 rows, 0 already stored, 1 line still set aside`)
    expect(salvaged.status).toBe(0)
    // The same segment again (say, from a backup): same halves, same tokens, nothing summed twice.
    writeFileSync(path.join(aggregatesQuarantine, aggregateSegment), body)
    expect(command('salvage', '--log', 'aggregates', aggregateSegment).status).toBe(0)
  }, 300_000)

  // A segment the engine refuses with a code not known to be about data: a
  // lone high surrogate an older edge acknowledged (CANNOT_PARSE_ESCAPE_SEQUENCE).
  const poisonedProject = 'p_ingest_log_poison'
  const poisonedRows = eventRowsFor(poisonedProject, 6)
  const poisonedLine = JSON.stringify(eventValues({ ...eventRowsFor(poisonedProject, 1)[0]!, type: 'error', message: 'boom \ud800' }))
  const poisonedBody = (good: typeof poisonedRows) => {
    const body = good.map((r) => JSON.stringify(eventValues(r)))
    body.splice(3, 0, poisonedLine)
    return JSON.stringify(EVENT_COLUMNS) + '\n' + body.join('\n') + '\n'
  }
  const [inQuarantine, inLog] = ['000000000000004-9-000001.jsonl', '000000000000005-9-000001.jsonl']
  const inLogRows = eventRowsFor(poisonedProject, 4)

  it('inspects, salvages and replays a segment the engine refuses with an unexpected code, in quarantine and still in the log, and names the code', () => {
    writeFileSync(path.join(quarantine, inQuarantine), poisonedBody(poisonedRows))
    writeFileSync(path.join(logDir, inLog), poisonedBody(inLogRows))

    const inspected = command('inspect', '--log', 'events')
    expect(inspected.stdout).toContain(`${inQuarantine}: a whole segment (`)
    expect(inspected.stdout).toContain('bytes) waiting for salvage')
    expect(inspected.stdout).not.toContain('could not be read')

    const salvaged = command('salvage', '--log', 'events', inQuarantine)
    expect(salvaged.stdout).toContain(`salvaging ${inQuarantine}… stored 6 rows, 0 already stored, 1 line still set aside`)
    expect(salvaged.stdout).toMatch(/line 5 +refused +code 25 CANNOT_PARSE_ESCAPE_SEQUENCE: /)
    expect(salvaged.status).toBe(0)

    // Still in the log (the server stopped before it split it): salvage takes it from there by name.
    const fromLog = command('salvage', '--log', 'events', inLog)
    expect(fromLog.stdout).toContain(`${inLog}: moved from the log into its quarantine`)
    expect(fromLog.stdout).toContain(`salvaging ${inLog}… stored 4 rows, 0 already stored, 1 line still set aside`)
    expect(fromLog.status).toBe(0)
    expect(existsSync(path.join(logDir, inLog))).toBe(false)

    // The line is as bad as before: a replay leaves it set aside, names why, and fails nothing.
    const replayed = command('replay', '--log', 'events', rejectedName(inQuarantine))
    expect(replayed.stdout).toContain(`replaying ${rejectedName(inQuarantine)}… stored 0 rows, 0 already stored, 1 line still set aside`)
    expect(replayed.stdout).toMatch(/line 5 +refused +code 25 CANNOT_PARSE_ESCAPE_SEQUENCE: /)
    expect(replayed.status).toBe(0)
    const left = readFileSync(path.join(quarantine, rejectedName(inQuarantine)), 'utf8').trim().split('\n')
    expect(left.map((l) => (JSON.parse(l) as { text: string }).text)).toEqual([poisonedLine])
  }, 300_000)

  it('left every row stored exactly once, and refuses to run while another process holds the data directory', async () => {
    process.env.STALEWATCH_DATA_DIR = dataDir
    resetConfigCache()
    const found = await runQuery<{ event_id: string; n: string }>(
      'test.ingestLogCommand',
      `SELECT event_id, count() AS n FROM ${table('events')} WHERE project_id = {p:String} GROUP BY event_id`,
      { p: project },
    )
    expect(new Set(found.map((r) => r.event_id))).toEqual(new Set([...rows, fixed].map((r) => r.event_id)))
    expect(found.filter((r) => Number(r.n) !== 1)).toEqual([])
    const sums = await runQuery<{ version: string; requests: string }>(
      'test.ingestLogCommandAggregates',
      `SELECT version, sum(requests) AS requests FROM ${table('backend_load_raw')} WHERE project_id = {p:String} GROUP BY version ORDER BY version`,
      { p: project },
    )
    expect(sums.map((r) => [r.version, Number(r.requests)])).toEqual(aggregateRows.map((r) => [r.version, r.requests]))
    const poisoned = await runQuery<{ event_id: string }>('test.ingestLogPoisoned', `SELECT event_id FROM ${table('events')} WHERE project_id = {p:String}`, { p: poisonedProject })
    expect(poisoned.map((r) => r.event_id).sort()).toEqual([...poisonedRows, ...inLogRows].map((r) => r.event_id).sort())

    // This test process now holds the engine, as a running server would.
    writeFileSync(path.join(quarantine, whole), JSON.stringify(EVENT_COLUMNS) + '\n' + JSON.stringify(eventValues(rows[0]!)) + '\n')
    const refused = command('salvage')
    expect(refused.status).toBe(2)
    expect(refused.stderr).toContain(`is open in process ${process.pid}`)
    expect(refused.stderr).toContain('stop the server, then run this again')
    expect(existsSync(path.join(quarantine, whole))).toBe(true)
    // Inspecting only reads files: fine while the server runs.
    expect(command('inspect').status).toBe(0)
  }, 120_000)
})
