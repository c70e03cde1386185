import http from 'node:http'

// The backend-load bench's load generator, its own child process: closed
// loop, `concurrency` keep-alive senders of GET requests over a fixed mix of
// paths (ids that the middleware collapses, a few fixed routes) and
// x-app-version values (five versions, and none), the same for both servers.

export interface ClientStep {
  url: string
  durationMs: number
  concurrency: number
}

export interface ClientResult {
  requests: number
  errors: number
  non200: number
  elapsedMs: number
}

const VERSIONS = ['2026.01.05-1', '2026.01.04-3', '2026.01.01-2', 'a3f9c21', '2025.12.20-9', null]

function pathFor(n: number): string {
  switch (n % 4) {
    case 0:
      return `/api/items/${n % 10_000}?page=${n % 7}`
    case 1:
      return `/api/users/${n % 500}/orders`
    case 2:
      return '/api/cart'
    default:
      return '/'
  }
}

export async function runClient(step: ClientStep): Promise<ClientResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: step.concurrency })
  const target = new URL(step.url)
  let requests = 0
  let errors = 0
  let non200 = 0
  let n = 0
  const once = () =>
    new Promise<void>((resolve) => {
      const i = n++
      const version = VERSIONS[i % VERSIONS.length]
      const req = http.request({ agent, host: target.hostname, port: target.port, path: pathFor(i), headers: version ? { 'x-app-version': version } : {} }, (res) => {
        if (res.statusCode !== 200) non200++
        res.resume()
        res.on('end', () => {
          requests++
          resolve()
        })
      })
      req.on('error', () => {
        errors++
        resolve()
      })
      req.end()
    })
  const started = performance.now()
  const deadline = started + step.durationMs
  await Promise.all(
    Array.from({ length: step.concurrency }, async () => {
      while (performance.now() < deadline) await once()
    }),
  )
  const elapsedMs = performance.now() - started
  agent.destroy()
  return { requests, errors, non200, elapsedMs }
}

if (process.send && process.env.STALEWATCH_BACKEND_LOAD_CLIENT === '1') {
  process.on('message', (message: { type: 'run'; step: ClientStep } | { type: 'stop' }) => {
    if (message.type === 'stop') process.exit(0)
    else runClient(message.step).then((result) => process.send!({ type: 'result', result }), (error: unknown) => process.send!({ type: 'error', message: String(error) }))
  })
  process.send({ type: 'ready' })
}
