import { z } from 'zod'

// Abuse and fault limits of the ingest endpoint, from the environment
// (documented in docs/security.md). Read once per process, lazily.

const flag = z.enum(['0', '1', '']).transform((v) => v === '1')

const schema = z.object({
  ratePerKey: z.coerce.number().min(0).max(1_000_000),
  burstPerKey: z.coerce.number().min(1).max(10_000_000),
  ratePerAddress: z.coerce.number().min(0).max(1_000_000),
  burstPerAddress: z.coerce.number().min(1).max(10_000_000),
  limitLoopback: flag,
  maxVersionsPerProject: z.coerce.number().int().min(1).max(1_000_000),
  ackTimeoutMs: z.coerce.number().int().min(50).max(60_000),
  stallTimeoutMs: z.coerce.number().int().min(100).max(600_000),
  /** Shed load (503) while the event loop's median delay is above this (ms); 0 turns shedding off. */
  shedLoopDelayMs: z.coerce.number().int().min(0).max(60_000),
  faultFile: z.string().optional(),
})

export type IngestLimits = z.infer<typeof schema>

export function loadIngestLimits(env: NodeJS.ProcessEnv = process.env): IngestLimits {
  const ratePerKey = env.STALEWATCH_RATE_PER_KEY || 5000
  const ratePerAddress = env.STALEWATCH_RATE_PER_IP || 50
  const parsed = schema.safeParse({
    ratePerKey,
    burstPerKey: env.STALEWATCH_BURST_PER_KEY || Math.max(1, Number(ratePerKey) * 2),
    ratePerAddress,
    burstPerAddress: env.STALEWATCH_BURST_PER_IP || Math.max(1, Number(ratePerAddress) * 4),
    limitLoopback: env.STALEWATCH_RATE_LIMIT_LOOPBACK ?? '',
    maxVersionsPerProject: env.STALEWATCH_MAX_VERSIONS_PER_PROJECT || 1000,
    ackTimeoutMs: env.STALEWATCH_ACK_TIMEOUT_MS || 1000,
    stallTimeoutMs: env.STALEWATCH_STALL_TIMEOUT_MS || 10_000,
    shedLoopDelayMs: env.STALEWATCH_SHED_LOOP_DELAY_MS ?? 50,
    faultFile: env.STALEWATCH_FAULT_FILE || undefined,
  })
  if (!parsed.success) {
    throw new Error(`Invalid ingest limits: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
  }
  return parsed.data
}

let cached: IngestLimits | undefined
export function ingestLimits(): IngestLimits {
  cached ??= loadIngestLimits()
  return cached
}
