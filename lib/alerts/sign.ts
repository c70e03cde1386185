import { createHmac } from 'node:crypto'
import { secretsEqual } from '../ids'

// Every delivery carries
//   x-stalewatch-timestamp: <epoch ms>  (the same value as the body's sentAt)
//   x-stalewatch-signature: sha256=<hex HMAC-SHA256 of the raw body with the destination's secret>
// The timestamp is inside the signed body, so a receiver that checks it is
// recent also rejects replays.

export const SIGNATURE_HEADER = 'x-stalewatch-signature'
export const TIMESTAMP_HEADER = 'x-stalewatch-timestamp'
export const DELIVERY_HEADER = 'x-stalewatch-delivery'

export function signBody(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`
}

export function verifySignature(secret: string, rawBody: string, header: string | null | undefined): boolean {
  return typeof header === 'string' && secretsEqual(header, signBody(secret, rawBody))
}
