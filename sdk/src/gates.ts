// `stalewatch wait` and `stalewatch check`: release gates for CI
// (docs/release-gates.md). Both read GET /api/projects/<project>/gate with the
// deploy token, print what they measured, and answer with the exit code:
//   0  the gate holds (wait: reached in time; check: within every limit)
//   1  it does not (wait: timed out; check: over a limit) or the server refused
//   2  the command's words are off
// Node >= 18 (global fetch); nothing here reaches the browser bundle.
import type { GateAnswer } from './wire'

export interface GateIo {
  out: (line: string) => void
  err: (line: string) => void
  fetch: typeof fetch
  /** Waits between polls (tests pass a fast clock). */
  sleep?: (ms: number) => Promise<void>
  now?: () => number
}

export interface GateTarget {
  url: string
  project: string
  token: string
}

const UNITS: Record<string, number> = { ms: 1, s: 1e3, m: 6e4, h: 3.6e6 }

/** "30m", "90s", "1h", "250ms" or plain seconds; undefined when it is none of them. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim())
  return m ? Number(m[1]) * UNITS[m[2] ?? 's']! : undefined
}

/** A share as people write it: "90", "90%" or "0.9" all mean 90 %. */
export function parsePercent(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)%?$/.exec(text.trim())
  if (!m) return undefined
  const n = Number(m[1])
  const share = text.includes('%') || n > 1 ? n / 100 : n
  return share >= 0 && share <= 1 ? share : undefined
}

const pct = (share: number | null) => (share === null ? 'n/a (nothing live)' : `${(share * 100).toFixed(1)} %`)
const tabs = (n: number) => `${n} live tab${n === 1 ? '' : 's'}`

class GateError extends Error {}

async function readGate(target: GateTarget, io: GateIo, query: Record<string, string>): Promise<GateAnswer> {
  const qs = new URLSearchParams(query).toString()
  const url = `${target.url}/api/projects/${encodeURIComponent(target.project)}/gate${qs ? `?${qs}` : ''}`
  let res: Response
  try {
    res = await io.fetch(url, { headers: { authorization: `Bearer ${target.token}` } })
  } catch (error) {
    throw new GateError(`could not reach ${target.url}: ${error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : error}`)
  }
  const text = await res.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  if (!res.ok) {
    const message = (body as { error?: { message?: string } } | undefined)?.error?.message ?? text.slice(0, 200)
    throw new GateError(`${res.status} from ${url}: ${message}`)
  }
  return body as GateAnswer
}

export interface WaitOptions {
  adoption: number
  timeoutMs: number
  everyMs: number
}

/** Polls until the latest release's adoption reaches the share; 0 when it does, 1 on timeout or refusal. */
export async function waitForAdoption(target: GateTarget, options: WaitOptions, io: GateIo): Promise<number> {
  const now = io.now ?? Date.now
  const sleep = io.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const deadline = now() + options.timeoutMs
  const goal = pct(options.adoption)
  for (;;) {
    let gate: GateAnswer
    try {
      gate = await readGate(target, io, {})
    } catch (error) {
      io.err(`stalewatch: ${(error as Error).message}`)
      return 1
    }
    const latest = gate.latest
    const approx = gate.approximate ? ' (sampled)' : ''
    if (latest) {
      io.out(`stalewatch: adoption of ${latest.version}: ${pct(latest.adoption)} (${latest.adopted} of ${tabs(gate.live)})${approx}; waiting for ${goal}`)
      if (latest.adoption !== null && latest.adoption >= options.adoption) {
        io.out(`stalewatch: reached: ${latest.version} is adopted by ${pct(latest.adoption)} of live tabs, at least ${goal}`)
        return 0
      }
    } else io.out(`stalewatch: no release yet (${tabs(gate.live)}); waiting for ${goal}`)
    const left = deadline - now()
    if (left <= 0) {
      io.err(`stalewatch: timed out after ${Math.round(options.timeoutMs / 1000)} s: adoption ${pct(latest?.adoption ?? null)}, wanted ${goal}`)
      return 1
    }
    await sleep(Math.min(options.everyMs, left))
  }
}

export interface CheckOptions {
  below: string
  maxLive?: number
  maxShare?: number
  maxRequests?: number
  requestsMinutes?: number
}

/** One reading: 0 while the builds older than `below` stay within every limit given, 1 otherwise. */
export async function checkBelow(target: GateTarget, options: CheckOptions, io: GateIo): Promise<number> {
  let gate: GateAnswer
  try {
    gate = await readGate(target, io, { below: options.below, ...(options.requestsMinutes ? { requestsMinutes: String(options.requestsMinutes) } : {}) })
  } catch (error) {
    io.err(`stalewatch: ${(error as Error).message}`)
    return 1
  }
  const below = gate.below!
  if (!below.known) {
    io.err(`stalewatch: project ${target.project} has never seen nor registered ${below.version}: nothing can be ordered before it`)
    return 1
  }
  const named = below.versions.slice(0, 5).map((v) => `${v.version} ${v.sessions}`).join(', ')
  io.out(
    `stalewatch: builds older than ${below.version}: ${tabs(below.live)} of ${gate.live} (${pct(below.share)})${gate.approximate ? ', sampled' : ''}${named ? `: ${named}${below.versions.length > 5 ? ', …' : ''}` : ''}`,
  )
  if (options.maxRequests !== undefined) {
    io.out(
      below.requests === null
        ? `stalewatch: no backend requests counted in the last ${below.requestsMinutes} min (is the server middleware installed? docs/backend-load.md)`
        : `stalewatch: backend requests from them in the last ${below.requestsMinutes} min: ${below.requests}`,
    )
  }
  const over: string[] = []
  if (options.maxLive !== undefined && below.live > options.maxLive) over.push(`${tabs(below.live)} > --max-live ${options.maxLive}`)
  if (options.maxShare !== undefined && below.share !== null && below.share > options.maxShare) over.push(`${pct(below.share)} > --max-share ${pct(options.maxShare)}`)
  if (options.maxRequests !== undefined && (below.requests ?? 0) > options.maxRequests) over.push(`${below.requests} requests > --max-requests ${options.maxRequests}`)
  if (over.length > 0) {
    io.err(`stalewatch: gate closed: ${over.join('; ')}`)
    return 1
  }
  io.out('stalewatch: gate open: within every limit')
  return 0
}
