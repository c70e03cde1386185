import { parseArgs } from 'node:util'

const HELP = `Usage: npm run ingest-log -- <inspect|salvage|replay> [options] [file…]

Looks after the ingest log's quarantine (<log dir>/quarantine/): what the log
could not store and set aside. The log splits a segment it cannot store whole
by itself (its good rows are stored, its bad lines go to
<segment>.rejected.jsonl, each with its kind and reason); a segment file it
could not read at all is moved there whole.

Commands:
  inspect   list the quarantine: set-aside lines with their reasons, and whole
            segments waiting for salvage. Reads files only: safe while the
            server runs.
  salvage   split each whole segment in quarantine (or the files named): store
            its good rows, set aside only its bad lines, remove the segment.
  replay    try the set-aside lines again (or those of the files named), e.g.
            after fixing lines by hand or upgrading; stored lines leave the
            file, a file left empty is removed. Column lines of damaged
            segments hold no row and are dropped.

Rows already in ClickHouse (same project and event id) are skipped, so
salvage and replay store each row once however often they run.

With the embedded engine (no CLICKHOUSE_URL), salvage and replay open the
data directory themselves, so run them while the server is stopped: chDB
allows one process per data directory, and they refuse, naming the process,
while the server holds it. With CLICKHOUSE_URL they go to that server and may
run at any time.

A line that stays bad after a replay cannot be stored as it is: fix it in the
file (its text is the row as JSON, one value per column) or delete the file
once you have looked at it. stalewatch_ingest_quarantine_files in
/api/metrics counts the files left (read again at the server's next start).

Options:
  --dir DIR        the ingest log directory (default: STALEWATCH_INGEST_LOG_DIR,
                   else <STALEWATCH_DATA_DIR>/ingest-log)
  --columns a,b,…  salvage: columns for segments whose column line is damaged;
                   replay: read every line with these columns instead of the
                   recorded ones (default: the columns this release writes)
  --limit N        inspect: lines shown per file (default 10; 0 for all)
  --json           inspect: one JSON object per file instead of text
  --help           this text`

type Command = 'inspect' | 'salvage' | 'replay'

class UsageError extends Error {}

interface Args {
  command: Command
  dir: string | undefined
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
  return { command, dir: values.dir, columns, limit, json: values.json, files }
}

const count = (n: number, what: string) => `${n.toLocaleString('en')} ${what}${n === 1 ? '' : 's'}`

async function inspect(dir: string, args: Args): Promise<void> {
  const { listQuarantine } = await import('../ingest/quarantine')
  const { readdir } = await import('node:fs/promises')
  const entries = (await listQuarantine(dir)).filter((e) => args.files.length === 0 || args.files.includes(e.name))
  if (args.json) {
    for (const e of entries) console.log(JSON.stringify(e))
    return
  }
  const waiting = await readdir(dir).then(
    (names) => names.filter((n) => n.endsWith('.jsonl')).length,
    () => 0,
  )
  console.log(`Ingest log ${dir}: ${count(waiting, 'segment')} not yet stored; quarantine: ${count(entries.length, 'file')}`)
  let lines = 0
  let segments = 0
  for (const e of entries) {
    if (e.kind === 'segment') {
      segments++
      console.log(`\n${e.name}: a whole segment (${e.bytes.toLocaleString('en')} bytes) that could not be read; run salvage`)
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
  console.log(`\nTotal: ${count(lines, 'line')} set aside, ${count(segments, 'whole segment')} to salvage.`)
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

async function run(dir: string, args: Args): Promise<boolean> {
  const { listQuarantine, salvageSegment, replayRejected } = await import('../ingest/quarantine')
  const { EVENT_COLUMNS } = await import('../ingest/event-row')
  const { writeEventLines } = await import('../ingest/event-writer')
  const want = args.command === 'salvage' ? 'segment' : 'rejected'
  const all = await listQuarantine(dir)
  for (const f of args.files) {
    const entry = all.find((e) => e.name === f)
    if (!entry) throw new UsageError(`${f}: not in ${dir}/quarantine (npm run ingest-log -- inspect lists it)`)
    if (entry.kind !== want) throw new UsageError(`${f}: ${entry.kind === 'segment' ? 'a whole segment: use salvage' : 'set-aside lines: use replay'}`)
  }
  const entries = all.filter((e) => e.kind === want && (args.files.length === 0 || args.files.includes(e.name)))
  if (entries.length === 0) {
    console.log(`Nothing to ${args.command} in ${dir}/quarantine.`)
    return true
  }
  await openStore()
  const options = { logDir: dir, insert: writeEventLines, columns: args.columns ?? EVENT_COLUMNS, overrideColumns: args.columns !== undefined }
  let ok = true
  const total = { stored: 0, alreadyStored: 0, setAside: 0 }
  for (const [i, e] of entries.entries()) {
    const started = Date.now()
    process.stdout.write(`[${i + 1}/${entries.length}] ${args.command === 'salvage' ? 'salvaging' : 'replaying'} ${e.name}… `)
    try {
      const r = args.command === 'salvage' ? await salvageSegment(e.name, options) : await replayRejected(e.name, options)
      total.stored += r.stored
      total.alreadyStored += r.alreadyStored
      total.setAside += r.setAside
      const dropped = r.droppedHeaders > 0 ? `, ${count(r.droppedHeaders, 'column line')} dropped` : ''
      console.log(`stored ${count(r.stored, 'row')}, ${r.alreadyStored} already stored, ${count(r.setAside, 'line')} still set aside${dropped} (${((Date.now() - started) / 1000).toFixed(1)} s)`)
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
  const dir = path.resolve(args.dir ?? config().ingestLogDir)
  let ok = true
  try {
    if (args.command === 'inspect') await inspect(dir, args)
    else ok = await run(dir, args)
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
