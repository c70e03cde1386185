import net from 'node:net'

// The soak's idle-connection-flood fault: during traffic, many connections
// that send nothing and some that send their headers a byte at a time, from
// many loopback addresses (on Linux every 127/8 address reaches a loopback
// listener). Nobody needs a key for this. The server must close them itself
// (the headers timeout, docs/security.md "Connections") while the tabs'
// requests keep being answered; what was lost or counted twice is the soak's
// own verdict at the end.

export interface IdleFloodResult {
  opened: number
  /** Could not connect at all (refused before the connection was accepted). */
  failed: number
  /** Closed by the server within the wait. */
  closedByServer: number
  /**
   * Of those, closed only after a probe byte: connected as far as the client
   * could tell, but never accepted by the server (the kernel's accept queue
   * was full and dropped the handshake's last packet; no descriptor of the
   * server's) until the probe completed or reset it.
   */
  closedAfterProbe: number
  seconds: number
}

const SLOW_HEAD = 'POST /api/ingest HTTP/1.1\r\nhost: soak\r\ncontent-type: text/plain\r\nx-slow: ' + 'a'.repeat(400)

/**
 * Opens `idle` silent and `slow` trickling connections, waits up to `waitMs`
 * for the server to close them, then closes what is left. The wait is
 * generous: a server busy starting up or restoring accepts late, and the
 * close is timed from the accept (test/ingest/edge/connection-guard.app.test.ts holds
 * the bound itself).
 */
export async function idleConnectionFlood(url: string, { idle = 1500, slow = 100, waitMs = 60_000 } = {}): Promise<IdleFloodResult> {
  const { port } = new URL(url)
  const started = Date.now()
  const sockets: { socket: net.Socket; closed: Promise<void> }[] = []
  let failed = 0
  const open = (i: number, trickle: boolean) =>
    new Promise<void>((resolve) => {
      // 127.1.x.y: a few connections per address, many addresses.
      const socket = net.connect({ port: Number(port), host: '127.0.0.1', localAddress: `127.1.${(i >> 4) & 255}.${1 + (i & 15)}` })
      const closed = new Promise<void>((r) => socket.once('close', () => r()))
      socket.on('error', () => undefined)
      let connected = false
      socket.once('connect', () => {
        connected = true
        if (trickle) {
          let at = 0
          const timer = setInterval(() => (socket.destroyed || at >= SLOW_HEAD.length ? clearInterval(timer) : socket.write(SLOW_HEAD[at++]!)), 250)
        }
        sockets.push({ socket, closed })
        resolve()
      })
      socket.once('error', () => {
        // Only an error before the connection was made: a reset after it is the server closing it.
        if (!connected) {
          failed++
          resolve()
        }
      })
    })
  for (let i = 0; i < idle + slow; i += 100) await Promise.all(Array.from({ length: Math.min(100, idle + slow - i) }, (_, j) => open(i + j, i + j >= idle)))
  const allClosed = (list: typeof sockets, ms: number) => Promise.race([Promise.all(list.map((s) => s.closed)), new Promise((r) => setTimeout(r, ms))])
  await allClosed(sockets, waitMs)
  // A blank line before a request is allowed (RFC 9112 2.2): to a server that holds the connection it is nothing new.
  const left = sockets.filter((s) => !s.socket.destroyed)
  for (const s of left) s.socket.write('\r\n')
  await allClosed(left, 15_000)
  const closedAfterProbe = left.filter((s) => s.socket.destroyed).length
  const closedByServer = sockets.filter((s) => s.socket.destroyed).length
  for (const s of sockets) s.socket.destroy()
  return { opened: sockets.length, failed, closedByServer, closedAfterProbe, seconds: (Date.now() - started) / 1000 }
}
