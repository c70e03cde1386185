import { z } from 'zod'
import path from 'node:path'

// Every setting Stalewatch reads from the environment, validated once.
// Read lazily (not at import) so `next build` never needs a configured machine.

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain identifier')

const configSchema = z.object({
  dataDir: z.string().min(1),
  clickhouseUrl: z.string().url().optional(),
  clickhouseUser: z.string().optional(),
  clickhousePassword: z.string().optional(),
  database: identifier,
  cluster: identifier.optional(),
  retentionDays: z.coerce.number().int().min(1).max(3650),
  adminToken: z.string().min(16).optional(),
  port: z.coerce.number().int().min(0).max(65535),
  ingestAck: z.enum(['logged', 'stored']),
  ingestLogDir: z.string().min(1),
  ingestLogFsync: z.enum(['0', '1']).transform((v) => v === '1'),
  flushMaxRows: z.coerce.number().int().min(1).max(1_000_000),
  flushMaxWaitMs: z.coerce.number().int().min(0).max(60_000),
  bufferMaxRows: z.coerce.number().int().min(100).max(100_000_000),
  bufferMaxBytes: z.coerce.number().int().min(1_000_000),
  minFreeDiskBytes: z.coerce.number().int().min(0),
  // Reload waves (docs/rollout.md): a project's defaults until it sets its
  // own, the ingest nodes that share the rate, and the guard's error window.
  reloadsPerMinute: z.coerce.number().int().min(0).max(1_000_000),
  waveLeadSeconds: z.coerce.number().int().min(0).max(3600),
  rolloutNodes: z.coerce.number().int().min(1).max(1000),
  guardWindowSeconds: z.coerce.number().int().min(5).max(3600),
})

export type Config = z.infer<typeof configSchema>

let cached: Config | undefined

/**
 * When a 2xx is given (docs/scaling.md, "Acknowledgement"):
 * - logged: once the events are in the ingest log on local disk (written and
 *   fdatasync'd); they reach ClickHouse from there within about a second and
 *   survive a crash (replayed at start). Acknowledgement no longer waits for
 *   an insert, so inserts can be large and rare while answers stay fast.
 * - stored: once ClickHouse has stored them. For ingest nodes without a disk
 *   of their own in front of a ClickHouse server or cluster.
 */
export type IngestAck = 'logged' | 'stored'

// Flush defaults per acknowledgement mode, measured with `npm run bench`
// (docs/scaling.md): the log can batch for a second at no cost to latency;
// a stored acknowledgement waits for the flush, so it must flush sooner.
const FLUSH_DEFAULTS: Record<IngestAck, { maxRows: number; maxWaitMs: number; bufferRows: number }> = {
  logged: { maxRows: 50_000, maxWaitMs: 1000, bufferRows: 5_000_000 },
  stored: { maxRows: 10_000, maxWaitMs: 200, bufferRows: 50_000 },
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = path.resolve(/*turbopackIgnore: true*/ env.STALEWATCH_DATA_DIR || './data')
  const ingestAck = env.STALEWATCH_INGEST_ACK || (env.CLICKHOUSE_URL ? 'stored' : 'logged')
  const flush = FLUSH_DEFAULTS[ingestAck as IngestAck] ?? FLUSH_DEFAULTS.logged
  const parsed = configSchema.safeParse({
    dataDir,
    clickhouseUrl: env.CLICKHOUSE_URL || undefined,
    clickhouseUser: env.CLICKHOUSE_USER || undefined,
    clickhousePassword: env.CLICKHOUSE_PASSWORD || undefined,
    database: env.CLICKHOUSE_DATABASE || 'stalewatch',
    cluster: env.CLICKHOUSE_CLUSTER || undefined,
    retentionDays: env.STALEWATCH_RETENTION_DAYS || 30,
    adminToken: env.STALEWATCH_ADMIN_TOKEN || undefined,
    port: env.PORT || 3000,
    ingestAck,
    ingestLogDir: path.resolve(/*turbopackIgnore: true*/ env.STALEWATCH_INGEST_LOG_DIR || path.join(dataDir, 'ingest-log')),
    ingestLogFsync: env.STALEWATCH_INGEST_LOG_FSYNC || '1',
    flushMaxRows: env.STALEWATCH_FLUSH_MAX_ROWS || flush.maxRows,
    flushMaxWaitMs: env.STALEWATCH_FLUSH_MAX_WAIT_MS || flush.maxWaitMs,
    bufferMaxRows: env.STALEWATCH_BUFFER_MAX_ROWS || flush.bufferRows,
    // The ingest log's bound on disk; 5M heartbeats take about 1.5 GB.
    bufferMaxBytes: env.STALEWATCH_BUFFER_MAX_BYTES || 2 * 1024 ** 3,
    // Ingest sheds (503 disk_low) while the ingest log's or the engine's disk
    // has less free; 0 turns the watch off. Room left for the engine to store
    // the backlog and merge parts.
    minFreeDiskBytes: env.STALEWATCH_MIN_FREE_DISK_BYTES ?? 512 * 1024 ** 2,
    reloadsPerMinute: env.STALEWATCH_RELOADS_PER_MINUTE || 600,
    waveLeadSeconds: env.STALEWATCH_WAVE_LEAD_SECONDS || 60,
    rolloutNodes: env.STALEWATCH_ROLLOUT_NODES || 1,
    guardWindowSeconds: env.STALEWATCH_GUARD_WINDOW_SECONDS || 60,
  })
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
    throw new Error(`Invalid configuration: ${problems}`)
  }
  return parsed.data
}

export function config(): Config {
  cached ??= loadConfig()
  return cached
}

/** For tests that change the environment between cases. */
export function resetConfigCache(): void {
  cached = undefined
}
