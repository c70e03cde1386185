import http from 'node:http'
import type { AddressInfo } from 'node:net'

// A real webhook receiver on loopback that records every request and can be
// told to fail the first N requests to a path.

export interface Received {
  path: string
  headers: http.IncomingHttpHeaders
  body: string
}

export interface Receiver {
  url: string
  received: Received[]
  to(path: string): Received[]
  failFirst(path: string, n: number): void
  close(): Promise<void>
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = []
  const failures = new Map<string, number>()
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const path = req.url ?? '/'
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      const left = failures.get(path) ?? 0
      if (left > 0) {
        failures.set(path, left - 1)
        res.writeHead(503).end('try later')
      } else res.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    to: (path) => received.filter((r) => r.path === path),
    failFirst: (path, n) => failures.set(path, n),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
