import { randomBytes } from 'node:crypto'

// Tabs without a browser, for populations too large for Chromium: each one
// speaks the wire format to the real ingest endpoint the way the SDK does
// with automatic reloads installed (hidden, nothing unsaved): a load, a
// heartbeat every `heartbeatMs`, a request when its reload slot comes, and on
// an answer whose reloadIn is 0, a `reload` event (reason forced) followed by
// the next load on the new version, in the same session.

export interface SimulatedTabOptions {
  /** The ingest endpoint (…/api/ingest). */
  endpoint: string
  key: string
  version: string
  /** The version a reload lands on. */
  next: string
  heartbeatMs: number
}

/** What an answer said (the stalewatch-answer header of a 204, or the 200 body). */
export interface SeenAnswer {
  at: number
  status: number
  belowMinimum?: boolean
  reloadIn?: number | null
}

const id = () => randomBytes(9).toString('base64url')

export class SimulatedTab {
  readonly session = id()
  load = id()
  version: string
  /** When an answer said "reload now" (reloadIn 0), by this process's clock. */
  readonly goes: number[] = []
  readonly answers: SeenAnswer[] = []
  private n = 0
  private timer: ReturnType<typeof setTimeout> | undefined
  private slot: ReturnType<typeof setTimeout> | undefined
  private chain: Promise<unknown> = Promise.resolve()
  private stopped = false

  constructor(private readonly o: SimulatedTabOptions) {
    this.version = o.version
  }

  start(): void {
    this.send([{ type: 'load', visibility: 'hidden', navigation: 'navigate' }])
    this.timer = setTimeout(() => this.beat(), Math.random() * this.o.heartbeatMs)
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
    clearTimeout(this.slot)
  }

  /** Settles once every request sent so far has been answered. */
  idle(): Promise<unknown> {
    return this.chain
  }

  private beat(): void {
    if (this.stopped) return
    this.send([{ type: 'heartbeat', visibility: 'hidden' }])
    clearTimeout(this.timer)
    this.timer = setTimeout(() => this.beat(), this.o.heartbeatMs)
  }

  /** One request at a time, in order, as the SDK sends them. */
  private send(events: object[]): Promise<unknown> {
    const head = { key: this.o.key, session: this.session, load: this.load, version: this.version }
    const stamped = events.map((e) => ({ id: `${head.load}_${this.n++}`, ts: Date.now(), ...e }))
    this.chain = this.chain.then(() => this.post(head, stamped))
    return this.chain
  }

  private async post(head: object, events: object[]): Promise<void> {
    let response: Response
    try {
      response = await fetch(`${this.o.endpoint}?answer=header`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ ...head, sentAt: Date.now(), events }),
      })
    } catch {
      return
    }
    const text = await response.text()
    const seen: SeenAnswer = { at: Date.now(), status: response.status }
    this.answers.push(seen)
    if (!response.ok) return
    const versions = JSON.parse(response.headers.get('stalewatch-answer') ?? (text || '{}')) as { belowMinimum?: boolean; reloadIn?: number | null }
    Object.assign(seen, { belowMinimum: versions.belowMinimum, reloadIn: versions.reloadIn })
    if (this.stopped || (head as { load: string }).load !== this.load) return
    clearTimeout(this.slot)
    if (!versions.belowMinimum || typeof versions.reloadIn !== 'number') return
    if (versions.reloadIn === 0) this.reload()
    else this.slot = setTimeout(() => this.beat(), versions.reloadIn)
  }

  private reload(): void {
    this.goes.push(Date.now())
    this.send([{ type: 'reload', reason: 'forced' }])
    const previousVersion = this.version
    this.load = id()
    this.version = this.o.next
    this.send([{ type: 'load', visibility: 'hidden', navigation: 'reload', previousVersion }])
  }
}

/** n tabs, started together. */
export function simulatedTabs(n: number, o: SimulatedTabOptions): SimulatedTab[] {
  const tabs = Array.from({ length: n }, () => new SimulatedTab(o))
  for (const tab of tabs) tab.start()
  return tabs
}
