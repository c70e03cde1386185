// Table and view definitions rendered as DDL for either deployment kind, so
// single-node and cluster schemas come from one source:
// - single node: the table itself;
// - cluster (CLICKHOUSE_CLUSTER set): a Replicated* `<name>_local` table on
//   every node ON CLUSTER, plus a Distributed `<name>` over it, so every query
//   in lib/ reads and writes `<name>` in both modes.

export interface TableDef {
  name: string
  columns: readonly (readonly [name: string, type: string])[]
  /** MergeTree family engine, e.g. 'MergeTree' or 'ReplacingMergeTree(updated_at)'. */
  engine: string
  orderBy: string
  partitionBy?: string
  ttl?: string
  settings?: Record<string, string | number>
  /**
   * Distributed sharding expression (cluster mode). When absent: a hash of
   * the sorting key for engines that merge rows by key (Replacing,
   * Aggregating…), since rows only merge with rows on their own shard;
   * rand() for plain MergeTree.
   */
  shardBy?: string
}

export interface ViewDef {
  name: string
  /** Target table definition name (its local table in cluster mode). */
  to: string
  /** SELECT text given the fully qualified source table. */
  select: (source: string) => string
  source: string
}

export interface DdlContext {
  database: string
  cluster?: string
}

const onCluster = (ctx: DdlContext) => (ctx.cluster ? ` ON CLUSTER ${ctx.cluster}` : '')
const localName = (ctx: DdlContext, name: string) => (ctx.cluster ? `${name}_local` : name)

export function createDatabase(ctx: DdlContext): string {
  return `CREATE DATABASE IF NOT EXISTS ${ctx.database}${onCluster(ctx)}`
}

function replicatedEngine(ctx: DdlContext, def: TableDef): string {
  const match = /^(\w*MergeTree)(?:\((.*)\))?$/.exec(def.engine)
  if (!match) throw new Error(`Unsupported engine for ${def.name}: ${def.engine}`)
  const [, family, args] = match
  const zkPath = `'/clickhouse/tables/{shard}/${ctx.database}/${def.name}_local'`
  const allArgs = [zkPath, `'{replica}'`, ...(args ? [args] : [])].join(', ')
  return `Replicated${family}(${allArgs})`
}

function tableBody(def: TableDef, engine: string): string {
  const columns = def.columns.map(([name, type]) => `  ${name} ${type}`).join(',\n')
  const clauses = [
    `ENGINE = ${engine}`,
    def.partitionBy ? `PARTITION BY ${def.partitionBy}` : '',
    `ORDER BY ${def.orderBy}`,
    def.ttl ? `TTL ${def.ttl}` : '',
    def.settings && Object.keys(def.settings).length
      ? `SETTINGS ${Object.entries(def.settings).map(([k, v]) => `${k} = ${v}`).join(', ')}`
      : '',
  ].filter(Boolean)
  return `(\n${columns}\n)\n${clauses.join('\n')}`
}

function shardingKey(def: TableDef): string {
  if (def.shardBy) return def.shardBy
  if (/^MergeTree\b/.test(def.engine)) return 'rand()'
  const key = def.orderBy.replace(/^\((.*)\)$/, '$1')
  return `cityHash64(${key})`
}

export function createTable(ctx: DdlContext, def: TableDef): string[] {
  if (!ctx.cluster) {
    return [`CREATE TABLE IF NOT EXISTS ${ctx.database}.${def.name}\n${tableBody(def, def.engine)}`]
  }
  const local = localName(ctx, def.name)
  return [
    `CREATE TABLE IF NOT EXISTS ${ctx.database}.${local}${onCluster(ctx)}\n${tableBody(def, replicatedEngine(ctx, def))}`,
    `CREATE TABLE IF NOT EXISTS ${ctx.database}.${def.name}${onCluster(ctx)} AS ${ctx.database}.${local}\n` +
      `ENGINE = Distributed(${ctx.cluster}, ${ctx.database}, ${local}, ${shardingKey(def)})`,
  ]
}

export function createView(ctx: DdlContext, def: ViewDef): string[] {
  // In a cluster each node's view feeds its own local target from its own
  // local source: rows are aggregated where they were written.
  const source = `${ctx.database}.${localName(ctx, def.source)}`
  const target = `${ctx.database}.${localName(ctx, def.to)}`
  return [`CREATE MATERIALIZED VIEW IF NOT EXISTS ${ctx.database}.${def.name}${onCluster(ctx)} TO ${target}\nAS ${def.select(source)}`]
}

/** DROP VIEW, so a migration can create a view again with another SELECT (a view's query cannot be altered in place everywhere). */
export function dropView(ctx: DdlContext, name: string): string[] {
  return [`DROP VIEW IF EXISTS ${ctx.database}.${name}${onCluster(ctx)}`]
}

/** ALTER TABLE … ADD COLUMN on the local table (and the Distributed one in a cluster). */
export function addColumn(ctx: DdlContext, tableName: string, column: string, type: string, after?: string): string[] {
  const position = after ? ` AFTER ${after}` : ''
  const statements = [`ALTER TABLE ${ctx.database}.${localName(ctx, tableName)}${onCluster(ctx)} ADD COLUMN IF NOT EXISTS ${column} ${type}${position}`]
  if (ctx.cluster) statements.push(`ALTER TABLE ${ctx.database}.${tableName}${onCluster(ctx)} ADD COLUMN IF NOT EXISTS ${column} ${type}${position}`)
  return statements
}
