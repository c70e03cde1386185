import { config, type Config } from '../lib/config'

// Abuse and fault limits of the ingest endpoint (documented in
// docs/security.md), read and checked with every other setting in
// lib/config.ts. The client's address is lib/http/client-address.ts's.

export type IngestLimits = Pick<
  Config,
  | 'ratePerKey'
  | 'burstPerKey'
  | 'ratePerAddress'
  | 'burstPerAddress'
  | 'limitLoopback'
  | 'maxVersionsPerProject'
  | 'ackTimeoutMs'
  | 'stallTimeoutMs'
  | 'shedLoopDelayMs'
  | 'faultFile'
>

export function ingestLimits(): IngestLimits {
  return config()
}
