import { parseArgs } from 'node:util'

const HELP = `Usage: npm run migrate [-- --print]

Applies the numbered migrations in lib/store/migrations that are not yet
recorded in <database>.schema_migrations. Safe to run any number of times.

With the embedded engine, run it while the server is stopped (one process
may open a data directory at a time); the server also migrates on start.

Options:
  --print   print every statement for this configuration (single node, or
            cluster with CLICKHOUSE_CLUSTER) without running anything
  --help    this text`

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { print: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } })
  if (values.help) return console.log(HELP)
  const { migrate, plannedStatements, migrationContext } = await import('../lib/store/migrate')
  if (values.print) {
    for (const statement of plannedStatements(migrationContext())) console.log(statement + ';\n')
    return
  }
  const { closeStore } = await import('../lib/store/client')
  const result = await migrate(undefined, (message) => console.log(message))
  console.log(
    result.applied.length === 0
      ? `Schema is up to date (${result.alreadyApplied} migrations applied earlier).`
      : `Applied ${result.applied.length} migration(s).`,
  )
  await closeStore()
}

main().catch((error: unknown) => {
  console.error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
