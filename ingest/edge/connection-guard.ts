import { readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import { isLoopback } from './rate-limit'

// Connections cost a file descriptor each whether or not they ever send a
// request, and nobody needs a key to open one. Left alone, idle connections
// pile up to the process's descriptor limit, and then the embedded engine and
// the ingest log fail to open files ("Too many open files"). So the front
// door (server.ts):
// - closes a connection that has not sent a whole request head within the
//   headers timeout: one that sends nothing (a socket idle timeout until its
//   first request), and one that sends its headers slowly (node's
//   headersTimeout, checked every second, not node's default 30 s);
// - closes a request whose body has not arrived within the request timeout,
//   and an idle keep-alive connection after the keep-alive timeout;
// - takes at most a number of connections per client address, and in total
//   fewer than the descriptor limit, keeping room for the engine and the log.
//   Past either cap a new connection is destroyed as it is accepted, before
//   any of it is read, and counted.
// The per-address cap is on the socket's peer: behind a trusted proxy
// (STALEWATCH_TRUST_PROXY=1) every connection comes from the proxy, so only
// the total applies; loopback peers are exempt like the rate limits, unless
// STALEWATCH_RATE_LIMIT_LOOPBACK=1.

export interface ConnectionLimits {
  headersTimeoutMs: number
  requestTimeoutMs: number
  keepAliveTimeoutMs: number
  maxPerAddress: number
  maxTotal: number
  /** Whether a peer address meets the per-address cap. */
  capsAddress: (address: string) => boolean
}

/** What the guard saw, for /api/metrics. */
export interface ConnectionCounts {
  open: number
  /** The total cap in force. */
  maxTotal: number
  refusedPerAddress: number
  refusedTotal: number
  /** Closed for sending no whole request head, or no whole body, in time. */
  timedOut: number
}

export const newConnectionCounts = (): ConnectionCounts => ({ open: 0, maxTotal: 0, refusedPerAddress: 0, refusedTotal: 0, timedOut: 0 })

/** The process's limit on open files (the soft one), or null where it cannot be read (not Linux). */
export function descriptorLimit(procLimits = '/proc/self/limits'): number | null {
  try {
    const line = readFileSync(procLimits, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'))
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0]
    return soft && /^\d+$/.test(soft) ? Number(soft) : null
  } catch {
    return null
  }
}

/**
 * The total cap when none is set: the descriptor limit less a quarter of it
 * (at least 512) kept for the engine's parts, the ingest log's segments and
 * outgoing connections; 1024 assumed where the limit cannot be read.
 */
export function defaultMaxConnections(limit = descriptorLimit() ?? 1024): number {
  return Math.max(64, limit - Math.max(512, Math.floor(limit / 4)))
}

/** Options that node:http takes only when the server is made. */
export function connectionServerOptions(limits: Pick<ConnectionLimits, 'headersTimeoutMs'>): { connectionsCheckingInterval: number } {
  return { connectionsCheckingInterval: Math.min(1000, Math.max(100, Math.floor(limits.headersTimeoutMs / 2))) }
}

export function guardConnections(server: Server, limits: ConnectionLimits, counts: ConnectionCounts): void {
  server.headersTimeout = limits.headersTimeoutMs
  server.requestTimeout = Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs)
  server.keepAliveTimeout = limits.keepAliveTimeoutMs
  // Refused by node as it accepts, before 'connection': the cheapest refusal there is.
  server.maxConnections = limits.maxTotal
  counts.maxTotal = limits.maxTotal
  server.on('drop', () => counts.refusedTotal++)

  const byAddress = new Map<string, number>()
  const awaitingFirstRequest = new WeakSet<Socket>()
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? ''
    const held = byAddress.get(address) ?? 0
    if (held >= limits.maxPerAddress && limits.capsAddress(address)) {
      counts.refusedPerAddress++
      socket.destroy()
      return
    }
    byAddress.set(address, held + 1)
    counts.open++
    socket.once('close', () => {
      counts.open--
      const left = (byAddress.get(address) ?? 1) - 1
      if (left > 0) byAddress.set(address, left)
      else byAddress.delete(address)
    })
    // node's headersTimeout only runs once a request has begun: a connection
    // that sends nothing at all is closed by this idle timeout (node destroys
    // a socket whose timeout nobody handles).
    awaitingFirstRequest.add(socket)
    socket.setTimeout(limits.headersTimeoutMs)
    socket.once('timeout', () => {
      if (awaitingFirstRequest.has(socket)) counts.timedOut++
    })
  })
  server.on('request', (req) => {
    // From here node's own timeouts (request, keep-alive) govern the connection.
    if (awaitingFirstRequest.delete(req.socket)) req.socket.setTimeout(0)
  })
  // Without a listener node answers these itself; this one only counts the
  // timeouts, and answers as node would.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
    if (timedOut) counts.timedOut++
    if (socket.writable && socket.bytesWritten === 0) {
      const status = timedOut ? '408 Request Timeout' : error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request'
      socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`)
    }
    socket.destroy()
  })
}

/** The limits from the settings (lib/config.ts). */
export function connectionLimits(c: {
  headersTimeoutMs: number
  requestTimeoutMs: number
  keepAliveTimeoutMs: number
  maxConnectionsPerAddress: number
  maxConnections: number | undefined
  limitLoopback: boolean
  trustProxy: boolean
}): ConnectionLimits {
  return {
    headersTimeoutMs: c.headersTimeoutMs,
    requestTimeoutMs: c.requestTimeoutMs,
    keepAliveTimeoutMs: c.keepAliveTimeoutMs,
    maxPerAddress: c.maxConnectionsPerAddress,
    maxTotal: c.maxConnections ?? defaultMaxConnections(),
    capsAddress: (address) => !c.trustProxy && (c.limitLoopback || !isLoopback(address)),
  }
}
