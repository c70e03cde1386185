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

/**
 * The group one holder of an address controls: an IPv4 address, or the /64
 * of an IPv6 one (a single host is commonly given a whole /64). An
 * IPv4-mapped IPv6 address is its IPv4 address.
 */
export function addressGroup(address: string): string {
  const a = address.trim().toLowerCase()
  const v4 = /(?:^|:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(a)
  if (v4) return v4[1]!
  if (!a.includes(':')) return a
  const [head, tail] = a.split('%')[0]!.split('::') as [string, string | undefined]
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`
}
