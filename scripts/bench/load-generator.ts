import { randomBytes } from 'node:crypto'
import { answerBody, answerHeader, KeepAliveSockets } from './keep-alive-sockets'
import { fill, prepareRequest, type PreparedRequest } from './prepared-request'

// The bench's load generator, run as a child process so it never shares the
// server's event loop (a worker thread would share the server's process when
// the server runs in-process; a child keeps both clean and lets the parent
// read each side's CPU and RSS apart). Kept-alive sockets, as many as the
// concurrency, and prepared request bytes (prepared-request.ts): one template
// per step, the batch's number (its session, load and event ids) and the
// times patched in as digits, so the generator stays cheap.
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
const N_DIGITS = 10

/** The step's request, made once: a batch of heartbeats 10 ms apart, its own session and load, the number `n` and the times left to patch. */
function stepRequest(step: LoadStep, target: URL): PreparedRequest {
  let events = ''
  for (let i = 0; i < step.batchSize; i++) events += `${i ? ',' : ''}{"id":"e${tag}_{n:${N_DIGITS}}_${i}","type":"heartbeat","ts":{ts${i}:13},"visibility":"${i % 3 ? 'visible' : 'hidden'}"}`
  const body = `{"key":"${step.key}","session":"s${tag}_{n:${N_DIGITS}}","load":"l${tag}_{n:${N_DIGITS}}","version":"${step.version}","sentAt":{sentAt:13},"events":[${events}]}`
  return prepareRequest({ host: target.host, path: target.pathname + target.search, contentType: 'application/json', body })
}

function requestBytes(step: LoadStep, request: PreparedRequest): { bytes: Buffer; n: number } {
  const n = counter++
  const now = Date.now()
  const values: Record<string, number> = { n, sentAt: now }
  for (let i = 0; i < step.batchSize; i++) values[`ts${i}`] = now - (step.batchSize - i) * 10
  return { bytes: fill(request, values), n }
}

const eventIds = (n: number, batchSize: number) => Array.from({ length: batchSize }, (_, i) => `e${tag}_${String(n).padStart(N_DIGITS, '0')}_${i}`)

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

export async function runStep(step: LoadStep): Promise<LoadResult> {
  const target = new URL(step.url)
  const sockets = new KeepAliveSockets(target.hostname, Number(target.port || 80), step.concurrency)
  const request = stepRequest(step, target)
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
      const { bytes, n } = requestBytes(step, request)
      sentEvents += step.batchSize
      pending++
      sockets.send(bytes, (status, answer) => {
        pending--
        if (status === 0 || !answer) {
          errors++
          resolve()
          return
        }
        latencies.push(performance.now() - dueAt)
        byStatus[status] = (byStatus[status] ?? 0) + 1
        // 204: the baselines, and the product's header answer (?answer=header),
        // which it gives only when every event of the batch was accepted.
        if (status === 204) {
          ackedEvents += step.batchSize
          if (step.collectIds) ackedIds.push(...eventIds(n, step.batchSize))
        }
        if (status === 200) {
          const accepted = (JSON.parse(answerBody(answer)) as { accepted: number }).accepted
          ackedEvents += accepted
          // The bench only sends valid events: all or none are accepted.
          if (step.collectIds && accepted === step.batchSize) ackedIds.push(...eventIds(n, step.batchSize))
        }
        if ((status === 503 || status === 429) && answerHeader(answer, 'retry-after') === undefined) refusalsWithoutRetryAfter++
        resolve()
      })
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
  sockets.close()
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
