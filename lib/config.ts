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
  flushMaxRows: z.coerce.number().int().min(1).max(1_000_000),
  flushMaxWaitMs: z.coerce.number().int().min(0).max(60_000),
  bufferMaxRows: z.coerce.number().int().min(100).max(10_000_000),
})

export type Config = z.infer<typeof configSchema>

let cached: Config | undefined

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse({
    dataDir: path.resolve(/*turbopackIgnore: true*/ env.STALEWATCH_DATA_DIR || './data'),
    clickhouseUrl: env.CLICKHOUSE_URL || undefined,
    clickhouseUser: env.CLICKHOUSE_USER || undefined,
    clickhousePassword: env.CLICKHOUSE_PASSWORD || undefined,
    database: env.CLICKHOUSE_DATABASE || 'stalewatch',
    cluster: env.CLICKHOUSE_CLUSTER || undefined,
    retentionDays: env.STALEWATCH_RETENTION_DAYS || 30,
    adminToken: env.STALEWATCH_ADMIN_TOKEN || undefined,
    port: env.PORT || 3000,
    flushMaxRows: env.STALEWATCH_FLUSH_MAX_ROWS || 10_000,
    flushMaxWaitMs: env.STALEWATCH_FLUSH_MAX_WAIT_MS || 200,
    bufferMaxRows: env.STALEWATCH_BUFFER_MAX_ROWS || 50_000,
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
