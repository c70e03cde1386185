import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { countNode } from '../../../sdk/src/server/node'
import type { LoadCounter } from '../../../sdk/src/server/counter'
import { countUpgrades } from '../../../sdk/src/server/ws'
import { requestVersion } from '../../../sdk/src/server/node'
import { versionLabel } from '../../../sdk/src/server/labels'
import { RECONNECT_PARAM } from '../../../sdk/src/tag-names'

// The simulated tabs' app server: a small node:http app with the real
// backend-load middleware mounted (sdk/src/server: countNode for requests,
// countUpgrades for sockets), as a customer would mount it. It answers a
// feed to poll and a socket endpoint; blip() is the backend outage of the
// incident: every socket drops at once, and for a while polls answer 503
// and upgrades are refused. It keeps its own count of what it served, the
// ground truth the simulator prints beside the dashboard.

export interface ServedMinute {
  requests: number
  reconnects: number
  serverErrors: number
}

export interface SimAppServer {
  url: string
  /** Drops every socket now and refuses the backend for `ms`. */
  blip(ms: number): void
  /** Sockets open now. */
  openSockets(): number
  /** What it served, by minute (epoch ms) and version label. */
  served(): ReadonlyMap<number, ReadonlyMap<string, ServedMinute>>
  close(): Promise<void>
}

const MINUTE = 60_000

/** `now` is the middleware's own clock by default, so what it served falls in the minutes the counts do. */
export async function startSimAppServer(counter: LoadCounter, now: () => number = () => counter.time()): Promise<SimAppServer> {
  let downUntil = 0
  const sockets = new Set<Duplex>()
  const served = new Map<number, Map<string, ServedMinute>>()
  const down = () => Date.now() < downUntil
  const serve = (version: string, what: 'request' | 'reconnect', error: boolean) => {
    const minute = Math.floor(now() / MINUTE) * MINUTE
    let byVersion = served.get(minute)
    if (!byVersion) served.set(minute, (byVersion = new Map()))
    const m = byVersion.get(version) ?? { requests: 0, reconnects: 0, serverErrors: 0 }
    m.requests++
    if (what === 'reconnect') m.reconnects++
    if (error) m.serverErrors++
    byVersion.set(version, m)
  }

  const server = http.createServer(
    countNode(counter, (req: http.IncomingMessage, res: http.ServerResponse) => {
      const failing = down()
      serve(versionLabel(requestVersion(req)), 'request', failing)
      if (failing) {
        res.writeHead(503, { 'retry-after': '5' })
        return res.end()
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"items":[]}')
    }),
  )
  server.on(
    'upgrade',
    countUpgrades(counter, (req: http.IncomingMessage, socket: Duplex) => {
      const reconnect = new URLSearchParams((req.url ?? '').split('?')[1] ?? '').get(RECONNECT_PARAM) === '1'
      const failing = down()
      serve(versionLabel(requestVersion(req)), reconnect ? 'reconnect' : 'request', failing)
      if (failing) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
        return
      }
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n')
      sockets.add(socket)
      socket.on('error', () => socket.destroy())
      socket.on('close', () => sockets.delete(socket))
    }),
  )
  server.keepAliveTimeout = 65_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    blip(ms) {
      downUntil = Date.now() + ms
      for (const socket of sockets) socket.destroy()
    },
    openSockets: () => sockets.size,
    served: () => served,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
