import http from 'node:http'
import { randomBytes } from 'node:crypto'

// The bench's load generator, run as a child process so it never shares the
// server's event loop (a worker thread would share the server's process when
// the server runs in-process; a child keeps both clean and lets the parent
// read each side's CPU and RSS apart). Keep-alive sockets, maxSockets equal to
// the concurrency, bodies built by string concatenation (no JSON.stringify of
// objects per request) so the generator stays cheap.
//
// Closed loop (no `rate`): `concurrency` senders, each sends the next request
// when the last is answered: measures peak throughput.
// Open loop (`rate` requests/s): requests are due on a fixed schedule whatever
// the answers; latency counts from the due time, so queueing is not hidden.

export interface LoadStep {
  url: string
  key: string
  /** Every event of the step carries this version, so the step's rows can be counted apart. */
  version: string
  batchSize: number
  concurrency: number
  durationMs: number
  /** Open loop: requests per second. */
  rate?: number
  /** Return the ids of every acknowledged event (for exact stored-vs-acked checks). */
  collectIds?: boolean
}

export interface LoadResult {
  requests: number
  byStatus: Record<string, number>
  sentEvents: number
  ackedEvents: number
  /** 503/429 answers without a Retry-After header. */
  refusalsWithoutRetryAfter: number
  /** Open loop only: requests never sent because too many were already waiting. */
  notSent: number
  errors: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  elapsedMs: number
  ackedIds?: string[]
}

const tag = randomBytes(3).toString('hex')
let counter = 0

function buildBody(step: LoadStep): { body: string; ids: string[] } {
  const n = counter++
  const now = Date.now()
  const ids: string[] = []
  let events = ''
  for (let i = 0; i < step.batchSize; i++) {
    const id = `e${tag}_${n}_${i}`
    ids.push(id)
    events += `${i ? ',' : ''}{"id":"${id}","type":"heartbeat","ts":${now - (step.batchSize - i) * 10},"visibility":"${i % 3 ? 'visible' : 'hidden'}"}`
  }
  const body = `{"key":"${step.key}","session":"s${tag}_${n}","load":"l${tag}_${n}","version":"${step.version}","sentAt":${now},"events":[${events}]}`
  return { body, ids }
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

export async function runStep(step: LoadStep): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: step.concurrency })
  const target = new URL(step.url)
  const latencies: number[] = []
  const byStatus: Record<string, number> = {}
  const ackedIds: string[] = []
  let sentEvents = 0
  let ackedEvents = 0
  let refusalsWithoutRetryAfter = 0
  let errors = 0
  let notSent = 0
  let pending = 0

  const send = (dueAt: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const { body, ids } = buildBody(step)
      sentEvents += ids.length
      pending++
      const req = http.request(
        { agent, host: target.hostname, port: target.port, path: target.pathname + target.search, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (chunk: string) => (text += chunk))
          res.on('end', () => {
            pending--
            latencies.push(performance.now() - dueAt)
            const status = res.statusCode ?? 0
            byStatus[status] = (byStatus[status] ?? 0) + 1
            // 204: the baselines, and the product's header answer (?answer=header),
            // which it gives only when every event of the batch was accepted.
            if (status === 204) {
              ackedEvents += ids.length
              if (step.collectIds) ackedIds.push(...ids)
            }
            if (status === 200) {
              const accepted = (JSON.parse(text) as { accepted: number }).accepted
              ackedEvents += accepted
              // The bench only sends valid events: all or none are accepted.
              if (step.collectIds && accepted === ids.length) ackedIds.push(...ids)
            }
            if ((status === 503 || status === 429) && !res.headers['retry-after']) refusalsWithoutRetryAfter++
            resolve()
          })
        },
      )
      req.on('error', () => {
        pending--
        errors++
        resolve()
      })
      req.end(body)
    })

  const started = performance.now()
  const deadline = started + step.durationMs
  if (step.rate === undefined) {
    const sender = async () => {
      while (performance.now() < deadline) await send(performance.now())
    }
    await Promise.all(Array.from({ length: step.concurrency }, sender))
  } else {
    const interval = 1000 / step.rate
    const inFlight = new Set<Promise<void>>()
    const maxWaiting = Math.max(step.concurrency * 4, Math.ceil(step.rate * 2))
    let next = started
    while (next < deadline) {
      const now = performance.now()
      while (next <= now && next < deadline) {
        if (pending >= maxWaiting) notSent++
        else {
          const p = send(next)
          inFlight.add(p)
          void p.then(() => inFlight.delete(p))
        }
        next += interval
      }
      await new Promise((r) => setTimeout(r, 1))
    }
    await Promise.all(inFlight)
  }
  const elapsedMs = performance.now() - started
  agent.destroy()
  const sorted = Float64Array.from(latencies).sort()
  return {
    requests: latencies.length,
    byStatus,
    sentEvents,
    ackedEvents,
    refusalsWithoutRetryAfter,
    notSent,
    errors,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length ? sorted[sorted.length - 1]! : 0,
    elapsedMs,
    ...(step.collectIds ? { ackedIds } : {}),
  }
}

// As a child process (forked by scripts/bench/ingest.ts with this variable
// set): one step per 'run' message, the result sent back.
if (process.send && process.env.STALEWATCH_LOAD_GENERATOR === '1') {
  process.on('message', (message: { type: 'run'; step: LoadStep } | { type: 'stop' }) => {
    if (message.type === 'stop') process.exit(0)
    else runStep(message.step).then((result) => process.send!({ type: 'result', result }), (error: unknown) => process.send!({ type: 'error', message: String(error) }))
  })
  process.send({ type: 'ready' })
}
