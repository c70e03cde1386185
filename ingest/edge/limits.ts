import { config, type Config } from '../../lib/config'

// Abuse and fault limits of the ingest endpoint (documented in
// docs/security.md), read and checked with every other setting in
// lib/config.ts. The client's address is lib/http/client-address.ts's.

const LIMIT_KEYS = [
  'ratePerKey',
  'burstPerKey',
  'ratePerAddress',
  'burstPerAddress',
  'limitLoopback',
  'maxVersionsPerProject',
  'ackTimeoutMs',
  'stallTimeoutMs',
  'shedLoopDelayMs',
  'faultFile',
] as const satisfies readonly (keyof Config)[]

export type IngestLimits = Pick<Config, (typeof LIMIT_KEYS)[number]>

/** Just the ingest's limits, so that what ingest reads of the settings is visible here. */
export function ingestLimits(): IngestLimits {
  const all = config()
  return Object.fromEntries(LIMIT_KEYS.map((key) => [key, all[key]])) as IngestLimits
}
