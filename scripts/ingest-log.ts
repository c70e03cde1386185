import { parseArgs } from 'node:util'

const HELP = `Usage: npm run ingest-log -- <inspect|salvage|replay> [options] [file…]

Looks after the ingest log's quarantine (<log dir>/quarantine/): what the log
could not store and set aside. The log splits a segment it cannot store whole
by itself (its good rows are stored, its bad lines go to
<segment>.rejected.jsonl, each with its kind and reason); a segment file it
could not read at all is moved there whole.

There are two logs, each with its own quarantine: the events' (<log dir>/) and
the backend-load aggregates' (<log dir>/aggregates/, what the app servers'
middleware sends). Every command looks after both unless --log names one.

Commands:
  inspect   list the quarantine: set-aside lines with their reasons, and whole
            segments waiting for salvage. Reads files only: safe while the
            server runs.
  salvage   split each whole segment in quarantine (or the files named): store
            its good rows, set aside only its bad lines, remove the segment.
            A segment named that is still in the log (the server stopped
            before storing it) is moved into the quarantine first.
  replay    try the set-aside lines again (or those of the files named), e.g.
            after fixing lines by hand or upgrading; stored lines leave the
            file, a file left empty is removed. Column lines of damaged
            segments hold no row and are dropped.

Events already in ClickHouse (same project and event id) are skipped, so
salvage and replay store each event once however often they run. Aggregate
rows carry no id (they are counts, summed): each insert has a deduplication
token made from its exact bytes, and the table remembers its last 1,000
inserts, so running salvage or replay again soon after stores nothing twice.
A replay of aggregate lines restored from a backup long after would count
them again.

With the embedded engine (no CLICKHOUSE_URL), salvage and replay open the
data directory themselves, so run them while the server is stopped: chDB
allows one process per data directory, and they refuse, naming the process,
while the server holds it. With CLICKHOUSE_URL they go to that server and may
run at any time.

A line the engine refuses is set aside whatever its error code, with the
code in its reason (e.g. "code 25 CANNOT_PARSE_ESCAPE_SEQUENCE", a lone
surrogate an older release acknowledged), as long as the engine takes an
insert of no rows into the same table; if it does not, the run stops there
and leaves the file as it was (ClickHouse is down: run it again later).

A line that stays bad after a replay cannot be stored as it is: fix it in the
file (its text is the row as JSON, one value per column) or delete the file
once you have looked at it. stalewatch_ingest_quarantine_files in
/api/metrics counts the files left (read again at the server's next start).

Options:
  --dir DIR        the ingest log directory (default: STALEWATCH_INGEST_LOG_DIR,
                   else <STALEWATCH_DATA_DIR>/ingest-log)
  --log NAME       events or aggregates: look after that log only (default both)
  --columns a,b,…  salvage: columns for segments whose column line is damaged;
                   replay: read every line with these columns instead of the
                   recorded ones (default: the columns this release writes)
  --limit N        inspect: lines shown per file (default 10; 0 for all)
  --json           inspect: one JSON object per file instead of text
  --help           this text`

type Command = 'inspect' | 'salvage' | 'replay'

class UsageError extends Error {}

const LOG_NAMES = ['events', 'aggregates'] as const
type LogName = (typeof LOG_NAMES)[number]

interface Args {
  command: Command
  dir: string | undefined
  logs: readonly LogName[]
  columns: string[] | undefined
  limit: number
  json: boolean
  files: string[]
}

function parse(): Args | null {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      log: { type: 'string' },
      columns: { type: 'string' },
      limit: { type: 'string', default: '10' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(HELP)
    return null
  }
  const [command, ...files] = positionals
  if (command !== 'inspect' && command !== 'salvage' && command !== 'replay') {
    throw new UsageError(command ? `unknown command "${command}": use inspect, salvage or replay` : 'give a command: inspect, salvage or replay')
  }
  const limit = Number(values.limit)
  if (!Number.isInteger(limit) || limit < 0) throw new UsageError('--limit: a whole number, 0 or more')
  const columns = values.columns?.split(',').map((c) => c.trim())
  if (columns && (columns.length === 0 || columns.some((c) => !/^[a-z_][a-z0-9_]*$/.test(c)))) throw new UsageError('--columns: comma-separated column names')
  if (values.log !== undefined && !LOG_NAMES.includes(values.log as LogName)) throw new UsageError(`--log: events or aggregates, not "${values.log}"`)
  const logs = values.log === undefined ? LOG_NAMES : [values.log as LogName]
  if (columns && values.log === undefined) throw new UsageError('--columns: say which log they are for with --log events or --log aggregates')
  return { command, dir: values.dir, logs, columns, limit, json: values.json, files }
}

const count = (n: number, what: string) => `${n.toLocaleString('en')} ${what}${n === 1 ? '' : 's'}`

/** One of the two logs: where it is, the columns this release writes to it, and how its rows are stored. */
interface LogTarget {
  name: LogName
  dir: string
  columns: readonly string[]
  insert: (segment: import('../ingest/log/segments').SegmentInsert) => Promise<void>
}

async function logTargets(root: string, names: readonly LogName[]): Promise<LogTarget[]> {
  const path = await import('node:path')
  const { EVENT_COLUMNS } = await import('../lib/events/row')
  const { AGGREGATE_COLUMNS } = await import('../lib/aggregates/row')
  const { segmentWriter } = await import('../ingest/log/segment-writer')
  const all: Record<LogName, LogTarget> = {
    events: { name: 'events', dir: root, columns: EVENT_COLUMNS, insert: segmentWriter('events') },
    // ingest/aggregates/runtime.ts keeps it there.
    aggregates: { name: 'aggregates', dir: path.join(root, 'aggregates'), columns: AGGREGATE_COLUMNS, insert: segmentWriter('backend_load_raw') },
  }
  return names.map((n) => all[n])
}

async function inspect(targets: readonly LogTarget[], args: Args): Promise<void> {
  const { listQuarantine } = await import('../ingest/log/quarantine')
  const { readdir } = await import('node:fs/promises')
  let lines = 0
  let segments = 0
  for (const target of targets) {
    const entries = (await listQuarantine(target.dir)).filter((e) => args.files.length === 0 || args.files.includes(e.name))
    if (args.json) {
      for (const e of entries) console.log(JSON.stringify({ log: target.name, ...e }))
      continue
    }
    const waiting = await readdir(target.dir).then(
      (names) => names.filter((n) => n.endsWith('.jsonl')).length,
      () => 0,
    )
    console.log(`${target.name === 'events' ? 'Ingest log' : 'Aggregates log'} ${target.dir}: ${count(waiting, 'segment')} not yet stored; quarantine: ${count(entries.length, 'file')}`)
    for (const e of entries) {
      if (e.kind === 'segment') {
        segments++
        console.log(`\n${e.name}: a whole segment (${e.bytes.toLocaleString('en')} bytes) waiting for salvage`)
        continue
      }
      lines += e.lines.length
      console.log(`\n${e.name}: ${count(e.lines.length, 'line')} set aside`)
      for (const r of args.limit === 0 ? e.lines : e.lines.slice(0, args.limit)) {
        const shown = (r.text ?? `(base64) ${r.base64}`).slice(0, 120)
        console.log(`  line ${String(r.line).padEnd(7)} ${r.kind.padEnd(13)} ${r.reason}\n  ${''.padEnd(21)} ${JSON.stringify(shown)}`)
      }
      if (args.limit > 0 && e.lines.length > args.limit) console.log(`  … and ${count(e.lines.length - args.limit, 'more line')} (--limit 0 shows all)`)
    }
    console.log('')
  }
  if (!args.json) console.log(`Total: ${count(lines, 'line')} set aside, ${count(segments, 'whole segment')} to salvage.`)
}

/** Opens the store, refusing clearly when the embedded engine's data directory is held by another process. */
async function openStore(): Promise<void> {
  const { config } = await import('../lib/config')
  const c = config()
  if (!c.clickhouseUrl) {
    const { engineHolder } = await import('../lib/store/engine-holder')
    const holder = engineHolder(c.dataDir)
    if (holder !== null && holder !== undefined && holder !== process.pid) {
      throw new UsageError(
        `the data directory ${c.dataDir} is open in process ${holder} (the Stalewatch server, most likely). ` +
          'chDB allows one process per data directory: stop the server, then run this again. ' +
          '(With a ClickHouse server, CLICKHOUSE_URL, this can run while Stalewatch runs.)',
      )
    }
  }
  const { runQuery } = await import('../lib/store/run-query')
  try {
    await runQuery('ingestLog.ping', 'SELECT 1')
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new UsageError(
      c.clickhouseUrl
        ? `cannot reach ClickHouse: ${reason}`
        : `cannot open the embedded engine in ${c.dataDir}: ${reason}. Is the server running on it? Stop it first (one process per data directory).`,
    )
  }
}

/** Set-aside lines named after each file salvaged or replayed; inspect lists them all. */
const SHOWN_LINES = 5

/** The named files that are segments still in a log (not in its quarantine). */
async function segmentsInLog(targets: readonly LogTarget[], files: readonly string[]): Promise<{ target: LogTarget; name: string }[]> {
  const { readdir } = await import('node:fs/promises')
  const found: { target: LogTarget; name: string }[] = []
  for (const target of targets) {
    const names = await readdir(target.dir).catch(() => [] as string[])
    for (const f of files) if (f.endsWith('.jsonl') && !f.includes('/') && names.includes(f)) found.push({ target, name: f })
  }
  return found
}

async function run(targets: readonly LogTarget[], args: Args): Promise<boolean> {
  const { listQuarantine, salvageSegment, replayRejected } = await import('../ingest/log/quarantine')
  const want = args.command === 'salvage' ? 'segment' : 'rejected'
  const work: { target: LogTarget; name: string }[] = []
  const named = new Set<string>()
  for (const target of targets) {
    const all = await listQuarantine(target.dir)
    for (const f of args.files) {
      const entry = all.find((e) => e.name === f)
      if (!entry) continue
      if (entry.kind !== want) throw new UsageError(`${f}: ${entry.kind === 'segment' ? 'a whole segment: use salvage' : 'set-aside lines: use replay'}`)
      named.add(f)
    }
    for (const e of all) if (e.kind === want && (args.files.length === 0 || args.files.includes(e.name))) work.push({ target, name: e.name })
  }
  // Salvage also takes a segment still in the log, by name: moved into the quarantine once the store is open (the server stopped).
  const fromLog = args.command === 'salvage' ? await segmentsInLog(targets, args.files.filter((f) => !named.has(f))) : []
  for (const f of fromLog) named.add(f.name)
  const missing = args.files.find((f) => !named.has(f))
  if (missing) throw new UsageError(`${missing}: not in the quarantine of ${targets.map((t) => t.dir).join(' or ')} (npm run ingest-log -- inspect lists it)`)
  if (work.length === 0 && fromLog.length === 0) {
    console.log(`Nothing to ${args.command} in ${targets.map((t) => `${t.dir}/quarantine`).join(' or ')}.`)
    return true
  }
  await openStore()
  const { quarantineSegment } = await import('../ingest/log/segments')
  for (const { target, name } of fromLog) {
    await quarantineSegment(target.dir, name)
    console.log(`${name}: moved from the log into its quarantine`)
    work.push({ target, name })
  }
  let ok = true
  const total = { stored: 0, alreadyStored: 0, setAside: 0 }
  for (const [i, { target, name }] of work.entries()) {
    const options = { logDir: target.dir, insert: target.insert, columns: args.columns ?? target.columns, overrideColumns: args.columns !== undefined }
    const started = Date.now()
    process.stdout.write(`[${i + 1}/${work.length}] ${args.command === 'salvage' ? 'salvaging' : 'replaying'} ${target.name === 'events' ? '' : `${target.name}/`}${name}… `)
    try {
      const r = args.command === 'salvage' ? await salvageSegment(name, options) : await replayRejected(name, options)
      total.stored += r.stored
      total.alreadyStored += r.alreadyStored
      total.setAside += r.setAside
      const dropped = r.droppedHeaders > 0 ? `, ${count(r.droppedHeaders, 'column line')} dropped` : ''
      console.log(`stored ${count(r.stored, 'row')}, ${r.alreadyStored} already stored, ${count(r.setAside, 'line')} still set aside${dropped} (${((Date.now() - started) / 1000).toFixed(1)} s)`)
      for (const line of r.lines.slice(0, SHOWN_LINES)) console.log(`  line ${String(line.line).padEnd(7)} ${line.kind.padEnd(13)} ${line.reason}`)
      if (r.lines.length > SHOWN_LINES) console.log(`  … and ${count(r.lines.length - SHOWN_LINES, 'more line')} (inspect lists them)`)
    } catch (error) {
      ok = false
      console.log(`failed: ${error instanceof Error ? error.message : String(error)} (left as it was)`)
    }
  }
  console.log(`Done: stored ${count(total.stored, 'row')}, ${total.alreadyStored} already stored, ${count(total.setAside, 'line')} still set aside.`)
  return ok
}

async function main(): Promise<void> {
  const args = parse()
  if (!args) return
  const { config } = await import('../lib/config')
  const path = await import('node:path')
  const targets = await logTargets(path.resolve(args.dir ?? config().ingestLogDir), args.logs)
  let ok = true
  try {
    if (args.command === 'inspect') await inspect(targets, args)
    else ok = await run(targets, args)
  } finally {
    const { closeStore } = await import('../lib/store/client')
    await closeStore()
  }
  process.exit(ok ? 0 : 1)
}

main().catch((error: unknown) => {
  if (error instanceof UsageError || (error instanceof Error && 'code' in error && error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')) {
    console.error(`ingest-log: ${error.message}\n(npm run ingest-log -- --help)`)
    process.exit(2)
  }
  console.error(`ingest-log failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
