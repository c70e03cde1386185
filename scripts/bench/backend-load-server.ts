import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Socket } from 'node:net'
import { createLoadCounter } from '../../sdk/src/server/counter'
import { countNode, nodeTracker } from '../../sdk/src/server/node'

// The backend-load bench's server child (run with --expose-gc): two node:http
// servers with the same trivial handler, one bare and one wrapped in the
// middleware (countNode), whose counter sends every 10 s to a third server
// here that answers 200, as Stalewatch would. The parent samples this
// process's CPU time and heap around each load step, and asks it for the
// in-process measurement (micro) of the middleware's per-request code path.

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with --expose-gc')

const answer = (_req: http.IncomingMessage, res: http.ServerResponse) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' })
  res.end('ok')
}

async function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler)
  server.keepAliveTimeout = 65_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

let sinkRequests = 0
const sink = await listen((req, res) => {
  sinkRequests++
  req.resume()
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"accepted":1,"relabelled":0,"rejected":[]}')
  })
})
const counter = createLoadCounter({ endpoint: `${sink}/api/ingest/aggregates`, serverKey: 'sws_bench', warn: () => {} })
const bare = await listen(answer)
const counted = await listen(countNode(counter, answer))

function heapAfterGc(): number {
  gc!()
  gc!()
  return process.memoryUsage().heapUsed
}

const cpuMicros = () => {
  const u = process.cpuUsage()
  return u.user + u.system
}

// In-process: the same request/response objects over and over (K of them,
// with varied paths and versions), so what differs between the two loops is
// only the middleware's own work: track() at the request, its 'close'
// listener counting at the response.
async function micro(n: number, rounds: number) {
  const microCounter = createLoadCounter({ endpoint: 'http://127.0.0.1:9/unused', serverKey: 'sws_bench', intervalMs: 3_600_000, fetch: async () => ({ ok: true, status: 200 }), warn: () => {} })
  const track = nodeTracker(microCounter)
  const versions = ['2026.01.05-1', '2026.01.04-3', '2026.01.01-2', 'a3f9c21', undefined]
  const pairs = Array.from({ length: 64 }, (_, i) => {
    const req = new http.IncomingMessage(new Socket())
    req.url = i % 4 === 0 ? `/api/items/${1000 + i}?page=${i}` : i % 4 === 1 ? `/api/users/${i}/orders/550e8400-e29b-41d4-a716-4466554400${String(i).padStart(2, '0')}` : i % 4 === 2 ? '/api/cart' : '/'
    const version = versions[i % versions.length]
    req.headers = version ? { 'x-app-version': version } : {}
    const res = new http.ServerResponse(req)
    res.statusCode = i % 10 === 0 ? 500 : 200
    return { req, res }
  })
  // CPU time, not wall time: on a busy machine a loop is also descheduled,
  // which says nothing about the code it runs.
  const loop = (withMiddleware: boolean) => {
    const started = cpuMicros()
    for (let i = 0; i < n; i++) {
      const { req, res } = pairs[i & 63]!
      if (withMiddleware) track(req, res)
      res.emit('close')
      res.removeAllListeners('close')
      // A window's worth of requests, then a send, as every 10 s in production.
      if (withMiddleware && (i & 0x1ffff) === 0x1ffff) void microCounter.flush()
    }
    return (cpuMicros() - started) / n
  }
  // Warm both paths up before measuring.
  loop(false)
  loop(true)
  const bareUs: number[] = []
  const countedUs: number[] = []
  for (let r = 0; r < rounds; r++) {
    bareUs.push(loop(false))
    countedUs.push(loop(true))
  }
  // Heap after GC before and after each N more requests, with the middleware
  // (once the window's send has settled) and without: the loop without it
  // shows what the engine itself adds meanwhile (compiled code, feedback).
  const heapAfter = async (withMiddleware: boolean) => {
    const points: number[] = []
    for (let step = 0; step < 4; step++) {
      if (step > 0) loop(withMiddleware)
      await microCounter.flush()
      points.push(heapAfterGc())
    }
    return points
  }
  const bareHeap = await heapAfter(false)
  const heap = await heapAfter(true)
  return { bareUs, countedUs, heap, bareHeap, counted: microCounter.stats().counted }
}

type Message = { type: 'sample' } | { type: 'micro'; n: number; rounds: number } | { type: 'stats' } | { type: 'stop' }

process.on('message', (message: Message) => {
  if (message.type === 'sample') {
    const cpu = cpuMicros()
    process.send!({ type: 'sample', cpuMicros: cpu, heapUsed: heapAfterGc() })
  } else if (message.type === 'micro') {
    void micro(message.n, message.rounds).then((result) => process.send!({ type: 'micro', ...result }))
  } else if (message.type === 'stats') {
    process.send!({ type: 'stats', stats: counter.stats(), sinkRequests })
  } else if (message.type === 'stop') {
    process.exit(0)
  }
})
process.send!({ type: 'ready', bare, counted })
