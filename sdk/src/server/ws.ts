// WebSocket upgrades on a Node server (the 'upgrade' event, as used by ws,
// socket.io, Next.js's custom servers): each upgrade is counted under its
// client version (the URL's sw_v, else the header) as ws_upgrade, or
// ws_reconnect when the client marked its URL as a reconnect
// (tag-requests.ts socketUrls). Its status class is the one of the
// handshake answer written to the socket (101, or the refusal), or
// `aborted` when the socket closed before any answer.
import type { LoadCounter } from './counter'
import { isReconnect, routeGroup, statusClass } from './labels'
import type { NodeRequest } from './node'
import { requestVersion } from './node'

/** The part of net.Socket (or stream.Duplex) read here. */
export interface UpgradeSocket {
  write(chunk: unknown, ...rest: unknown[]): boolean
  end(...args: unknown[]): unknown
  once(event: 'close', listener: () => void): unknown
}

export interface UpgradeCountOptions {
  routeGroup?: (req: NodeRequest) => string
}

/** "HTTP/1.1 101 Switching Protocols\r\n…" → 101; anything else → 0 (aborted). */
function handshakeStatus(chunk: unknown): number {
  const text = typeof chunk === 'string' ? chunk.slice(0, 12) : chunk instanceof Uint8Array ? String.fromCharCode(...chunk.subarray(0, 12)) : ''
  return /^HTTP\/1\.[01] \d{3}$/.test(text) ? Number(text.slice(9)) : 0
}

/** Starts counting one upgrade: call it first in the 'upgrade' listener. */
export function trackUpgrade(counter: LoadCounter, req: NodeRequest, socket: UpgradeSocket, options: UpgradeCountOptions = {}): void {
  const at = counter.time()
  const url = req.url ?? '/'
  const kind = isReconnect(url) ? 'ws_reconnect' : 'ws_upgrade'
  const version = requestVersion(req)
  const route = (options.routeGroup ?? ((r: NodeRequest) => routeGroup(r.url ?? '/')))(req)
  const { write, end } = socket
  let counted = false
  const record = (status: number) => {
    if (counted) return
    counted = true
    socket.write = write
    socket.end = end
    counter.count(version, route, status ? statusClass(status) : 'aborted', kind, at)
  }
  // The first bytes written are the handshake's answer; then the socket is left alone.
  socket.write = function (this: UpgradeSocket, chunk: unknown, ...rest: unknown[]) {
    record(handshakeStatus(chunk))
    return write.call(this, chunk, ...rest)
  }
  socket.end = function (this: UpgradeSocket, ...args: unknown[]) {
    record(typeof args[0] === 'function' || args[0] === undefined ? 0 : handshakeStatus(args[0]))
    return end.apply(this, args)
  }
  socket.once('close', () => record(0))
}

/** Wraps an 'upgrade' listener: `server.on('upgrade', countUpgrades(counter, (req, socket, head) => …))`. */
export function countUpgrades<Req extends NodeRequest, Socket extends UpgradeSocket, Head>(
  counter: LoadCounter,
  listener: (req: Req, socket: Socket, head: Head) => void,
  options?: UpgradeCountOptions,
): (req: Req, socket: Socket, head: Head) => void {
  return (req, socket, head) => {
    try {
      trackUpgrade(counter, req, socket, options)
    } catch {
      // Counting must never break the app.
    }
    listener(req, socket, head)
  }
}
