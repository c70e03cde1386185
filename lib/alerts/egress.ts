import { lookup as dnsLookup } from 'node:dns/promises'
import type { LookupAddress, LookupOptions } from 'node:dns'
import { BlockList, isIP } from 'node:net'
import { config } from '../config'

// Where webhooks may go. The server makes the request, so a destination on
// loopback, the private network, link-local or the cloud metadata endpoint
// would let whoever writes rules reach inside. Such addresses are refused
// unless an operator lists their network in STALEWATCH_WEBHOOK_ALLOWED_NETWORKS.
// The check runs when a rule is saved and again at every delivery, inside the
// connection's own name lookup: the address checked is the address connected
// to, so a name that resolves elsewhere the second time (DNS rebinding) gains
// nothing.

export interface EgressPolicy {
  /** Networks allowed although internal: `10.1.2.0/24`, `127.0.0.1`, `::1/128`. */
  allowedNetworks: readonly string[]
  /** Name resolution, every address of the name; dns.lookup by default. */
  lookup?: (hostname: string) => Promise<readonly { address: string; family: number }[]>
}

export function defaultEgressPolicy(): EgressPolicy {
  return { allowedNetworks: config().webhookAllowedNetworks }
}

const INTERNAL: readonly [network: string, prefix: number, what: string][] = [
  ['0.0.0.0', 8, '"this network"'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
  ['::', 96, 'unspecified, loopback or IPv4-compatible'],
  ['64:ff9b:1::', 48, 'local NAT64'],
  ['100::', 64, 'discard'],
  ['fc00::', 7, 'unique local (cloud metadata at fd00:ec2::254)'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
]

const family = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4')

/** The 16 bytes of an IPv6 address (with an optional dotted IPv4 tail). */
function ipv6Bytes(address: string): number[] {
  let text = address
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number]
    text = text.slice(0, -dotted[1]!.length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined]
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
  return groups.flatMap((g) => {
    const n = parseInt(g || '0', 16)
    return [n >> 8, n & 0xff]
  })
}

/** An IPv4 address carried inside an IPv6 one (mapped, NAT64, 6to4), which is where a packet to it ends up. */
function embeddedIpv4(address: string): string | null {
  if (isIP(address) !== 6) return null
  const b = ipv6Bytes(address.split('%')[0]!)
  const v4 = (at: number) => b.slice(at, at + 4).join('.')
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0)
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return v4(12)
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return v4(12)
  if (b[0] === 0x20 && b[1] === 0x02) return v4(2)
  return null
}

function networks(entries: readonly (readonly [string, number])[]): BlockList {
  const list = new BlockList()
  for (const [network, prefix] of entries) list.addSubnet(network, prefix, family(network))
  return list
}

const internalByKind = INTERNAL.map(([network, prefix, what]) => ({ list: networks([[network, prefix]]), what }))

function allowList(policy: EgressPolicy): BlockList {
  return networks(
    policy.allowedNetworks.map((entry) => {
      const [network, prefix] = entry.split('/') as [string, string | undefined]
      return [network, prefix === undefined ? (isIP(network) === 6 ? 128 : 32) : Number(prefix)] as const
    }),
  )
}

/** What kind of internal address this is ("loopback"), or null when a webhook may connect to it. */
export function internalKind(address: string, policy: EgressPolicy): string | null {
  const bare = address.replace(/^\[|\]$/g, '').split('%')[0]!
  if (isIP(bare) === 0) return 'non-IP'
  const allowed = allowList(policy)
  for (const candidate of [bare, embeddedIpv4(bare)]) {
    if (candidate === null) continue
    const internal = internalByKind.find((k) => k.list.check(candidate, family(candidate)))
    if (internal && !allowed.check(candidate, family(candidate))) return internal.what
  }
  return null
}

/** The first of a name's addresses that is internal, described, or null when all may be reached. */
function firstRefused(hostname: string, addresses: readonly { address: string }[], policy: EgressPolicy): string | null {
  for (const { address } of addresses) {
    const kind = internalKind(address, policy)
    if (kind) return `${hostname} resolves to ${address}, a ${kind} address`
  }
  return null
}

export class EgressRefusedError extends Error {
  constructor(reason: string) {
    super(`destination not allowed: ${reason} (STALEWATCH_WEBHOOK_ALLOWED_NETWORKS lists the networks allowed)`)
    this.name = 'EgressRefusedError'
  }
}

async function resolveAll(hostname: string, policy: EgressPolicy): Promise<readonly { address: string; family: number }[]> {
  return policy.lookup ? policy.lookup(hostname) : dnsLookup(hostname, { all: true, verbatim: true })
}

/**
 * Why a destination URL is refused, checked when a rule is saved: its host is
 * an internal address, or a name that resolves to one. A name that does not
 * resolve now is not refused (it may be fixed later); delivery checks again.
 */
export async function destinationRefusal(url: string, policy: EgressPolicy = defaultEgressPolicy()): Promise<string | null> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '')
  if (isIP(host) !== 0) {
    const kind = internalKind(host, policy)
    return kind ? `${host} is a ${kind} address` : null
  }
  let addresses: readonly { address: string }[]
  try {
    addresses = await resolveAll(host, policy)
  } catch {
    return null
  }
  return firstRefused(host, addresses, policy)
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void

/**
 * A `lookup` for node:http(s) that refuses internal addresses: the socket
 * connects to the very addresses checked here. Address literals never reach
 * a lookup; the sender checks them with internalKind first.
 */
export function checkedLookup(policy: EgressPolicy): (hostname: string, options: LookupOptions, callback: LookupCallback) => void {
  return (hostname, options, callback) => {
    resolveAll(hostname, policy).then(
      (addresses) => {
        const refused = firstRefused(hostname, addresses, policy)
        if (refused) return callback(new EgressRefusedError(refused), '')
        const usable = addresses.filter((a) => !options.family || a.family === options.family)
        if (usable.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '')
        if (options.all) callback(null, usable.map((a) => ({ address: a.address, family: a.family })))
        else callback(null, usable[0]!.address, usable[0]!.family)
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    )
  }
}
