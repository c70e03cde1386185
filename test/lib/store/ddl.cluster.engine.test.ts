import { describe, expect, it } from 'vitest'
import { plannedStatements } from '@/lib/store/migrate'
import { store } from '@/lib/store/client'

// Cluster mode cannot run here (no Keeper, no second node), so its statements
// are checked by the engine's own parser; single-node statements are applied
// for real. Both come from the same definitions (lib/store/ddl.ts).

const cluster = { database: 'sw_cluster_check', cluster: 'stalewatch', retentionDays: 30 }
const single = { database: 'sw_single_check', retentionDays: 30 }

async function parse(statement: string): Promise<string> {
  const result = await store().query.query({ query: 'SELECT formatQuery({q:String}) AS f', query_params: { q: statement }, format: 'JSONEachRow' })
  const [row] = await result.json<{ f: string }>()
  return row!.f
}

const isCreateTable = (s: string) => /^CREATE TABLE/.test(s)

describe('cluster DDL', () => {
  const statements = plannedStatements(cluster)

  it('parses every statement with the engine’s parser', async () => {
    const failures: string[] = []
    for (const statement of statements) {
      await parse(statement).catch((error: unknown) => failures.push(`${statement.split('\n')[0]}: ${String(error).slice(0, 200)}`))
    }
    expect(failures).toEqual([])
  })

  it('runs every CREATE and ALTER on the whole cluster', async () => {
    const schemaChanges = statements.filter((s) => /^(CREATE|ALTER|DROP)/.test(s))
    for (const statement of schemaChanges) expect(await parse(statement), statement.split('\n')[0]).toMatch(/ ON CLUSTER stalewatch/)
  })

  it('pairs every replicated local table with a Distributed table of the same name over it', async () => {
    const tables = statements.filter(isCreateTable)
    const locals = tables.filter((s) => /ENGINE = Replicated\w*MergeTree\('\/clickhouse\/tables\/\{shard\}\//.test(s))
    expect(locals.length).toBeGreaterThan(5)
    // No table keeps a non-replicated MergeTree engine in a cluster.
    expect(tables.filter((s) => /ENGINE = (?!Replicated|Distributed)\w*MergeTree/.test(s))).toEqual([])
    for (const local of locals) {
      const name = /CREATE TABLE IF NOT EXISTS sw_cluster_check\.(\w+)_local/.exec(local)?.[1]
      expect(name, local.split('\n')[0]).toBeDefined()
      const distributed = tables.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS sw_cluster_check.${name} ON CLUSTER`))
      expect(distributed, name).toMatch(new RegExp(`ENGINE = Distributed\\(stalewatch, sw_cluster_check, ${name}_local, `))
    }
  })

  it('shards replacing and aggregating tables by their key, so the rows that merge meet on one shard', () => {
    const collapsing = statements.filter((s) => isCreateTable(s) && /ENGINE = Replicated(Replacing|Aggregating|Collapsing|Summing)MergeTree/.test(s))
    expect(collapsing.length).toBeGreaterThan(0)
    for (const local of collapsing) {
      const name = /sw_cluster_check\.(\w+)_local/.exec(local)![1]
      const distributed = statements.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS sw_cluster_check.${name} ON CLUSTER`))!
      expect(distributed, name).not.toMatch(/rand\(\)\)$/)
    }
  })

  it('has materialized views read and write the local tables', () => {
    for (const view of statements.filter((s) => s.startsWith('CREATE MATERIALIZED VIEW'))) {
      expect(view).toMatch(/ TO sw_cluster_check\.\w+_local\n/)
      expect(view).toMatch(/FROM sw_cluster_check\.\w+_local\b/)
    }
  })
})

describe('single-node DDL', () => {
  it('applies every statement on the embedded engine, twice (idempotent)', async () => {
    const statements = plannedStatements(single)
    for (let round = 0; round < 2; round++) {
      for (const statement of statements) await store().query.command({ query: statement })
    }
    const result = await store().query.query({
      query: 'SELECT name, engine FROM system.tables WHERE database = {db:String} ORDER BY name',
      query_params: { db: single.database },
      format: 'JSONEachRow',
    })
    const tables = await result.json<{ name: string; engine: string }>()
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['events', 'projects', 'releases', 'schema_migrations', 'version_first_seen', 'version_first_seen_mv']))
    expect(tables.every((t) => !t.engine.startsWith('Replicated') && t.engine !== 'Distributed')).toBe(true)
  })
})
