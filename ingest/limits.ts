import { config, type Config } from '../lib/config'

// Abuse and fault limits of the ingest endpoint (documented in
// docs/security.md), read and checked with every other setting in
// lib/config.ts.

export type IngestLimits = Pick<
  Config,
  | 'ratePerKey'
  | 'burstPerKey'
  | 'ratePerAddress'
  | 'burstPerAddress'
  | 'limitLoopback'
  | 'trustProxy'
  | 'maxVersionsPerProject'
  | 'ackTimeoutMs'
  | 'stallTimeoutMs'
  | 'shedLoopDelayMs'
  | 'faultFile'
>

export function ingestLimits(): IngestLimits {
  return config()
}

/**
 * The client's address: the socket's peer, or with STALEWATCH_TRUST_PROXY=1
 * the left-most X-Forwarded-For entry (the proxy in front must overwrite, not
 * append to, a client-sent header for that to be trustworthy).
 */
export function clientAddress(socketAddress: string | null | undefined, forwardedFor: string | null | undefined, trustProxy: boolean): string | null {
  if (trustProxy && forwardedFor) {
    const first = forwardedFor.split(',')[0]!.trim()
    if (first) return first.slice(0, 64)
  }
  return socketAddress ?? null
}
