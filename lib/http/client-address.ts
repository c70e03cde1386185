import { config } from '../config'
import { processSingleton } from '../process-singleton'

// The client's address, for rate limits only (never stored). A Fetch API
// Request carries no socket, so server.ts, which has it, hands Next.js the
// peer address in a header of its own. That header is believed only in a
// process where server.ts said it sets it (overwriting whatever a client
// sent): under `next start` alone anybody could send it.

export const PEER_ADDRESS_HEADER = 'x-stalewatch-peer-address'
// Once per process (lib/process-singleton.ts): server.ts and the Next.js bundles must agree.
const peerHeader = () => processSingleton('peerAddressHeader', () => ({ trusted: false }))

/** Called by server.ts, which sets PEER_ADDRESS_HEADER on every request it hands to Next.js. */
export function trustPeerAddressHeader(): void {
  peerHeader().trusted = true
}

export function peerAddressOf(headers: Headers): string | null {
  return peerHeader().trusted ? headers.get(PEER_ADDRESS_HEADER) || null : null
}

/**
 * The socket's peer, or with STALEWATCH_TRUST_PROXY=1 the left-most
 * X-Forwarded-For entry (the proxy in front must overwrite, not append to, a
 * client-sent header for that to be trustworthy).
 */
export function clientAddress(socketAddress: string | null | undefined, forwardedFor: string | null | undefined, trustProxy = config().trustProxy): string | null {
  if (trustProxy && forwardedFor) {
    const first = forwardedFor.split(',')[0]!.trim()
    if (first) return first.slice(0, 64)
  }
  return socketAddress ?? null
}

/** clientAddress for a Fetch API request served by Next.js. */
export function requestClientAddress(request: Request): string | null {
  return clientAddress(peerAddressOf(request.headers), request.headers.get('x-forwarded-for'))
}
