import { expect } from 'vitest'
import { handleIngest } from '@/ingest/events/pipeline'
import { ingestRuntime } from '@/ingest/events/runtime'
import type { IngestEnvelope, ReloadReason, WireEvent } from '@/sdk/src/wire'
import { uid } from './envelopes'

// Crafted sessions with a known answer, sent through the real ingest
// pipeline as the server would have received them at the given times.

export const S = 1000
export const M = 60_000

export interface Sent {
  receivedAt: number
  envelope: Omit<IngestEnvelope, 'key'>
}

/** A tab: heartbeats on one load, then maybe a reload into another version. */
export class Tab {
  readonly session = uid('sess')
  private load = uid('load')
  readonly sent: Sent[] = []
  /** Client clock minus true time. */
  constructor(private version: string, private skewMs = 0) {}

  /** `sentAt` (true time) defaults to `receivedAt`: no time in transit. */
  private push(at: number, events: WireEvent[], receivedAt = at, sentAt = receivedAt): this {
    const ts = (t: number) => t + this.skewMs
    this.sent.push({
      receivedAt,
      envelope: { session: this.session, load: this.load, version: this.version, sentAt: ts(sentAt), events: events.map((e) => ({ ...e, ts: ts(e.ts) })) },
    })
    return this
  }

  /** Heartbeats every minute in [from, to]. */
  beat(from: number, to: number, visibility: 'visible' | 'hidden' = 'visible'): this {
    for (let t = from; t <= to; t += M) this.push(t, [{ id: uid('evt'), type: 'heartbeat', ts: t, visibility }])
    return this
  }

  /** A frozen tab woken up at `at`. */
  resume(at: number): this {
    return this.push(at, [{ id: uid('evt'), type: 'resume', ts: at }])
  }

  /** A heartbeat that happened at `at` but reached the server only at `receivedAt`. */
  lateBeat(at: number, receivedAt: number): this {
    return this.push(at, [{ id: uid('evt'), type: 'heartbeat', ts: at, visibility: 'visible' }], receivedAt)
  }

  /** A reload event from `version` at `at` that reached the server only at `receivedAt`; its load was sent long before. */
  lateReloadEvent(at: number, version: string, reason: ReloadReason, receivedAt: number): this {
    const current = this.version
    this.version = version
    this.push(at, [{ id: uid('evt'), type: 'reload', ts: at, reason }], receivedAt)
    this.version = current
    return this
  }

  /**
   * Reload at `at` into `version`, announced 300 ms before by a reload event
   * (a beacon) that spends `transitMs` in transit, so it reaches the server
   * after the new load's first request.
   */
  slowBeaconReload(at: number, version: string, reason: ReloadReason, transitMs: number): this {
    const sent = at - 300
    this.push(sent, [{ id: uid('evt'), type: 'reload', ts: sent, reason }], sent + transitMs, sent)
    return this.reload(at, version)
  }

  /** Reload at `at` into `version`, announced by a reload event 2 s before unless reason is undefined (the browser's button). */
  reload(at: number, version: string, reason?: ReloadReason): this {
    if (reason) this.push(at - 2 * S, [{ id: uid('evt'), type: 'reload', ts: at - 2 * S, reason }])
    const previousVersion = this.version
    this.version = version
    this.load = uid('load')
    return this.push(at, [{ id: uid('evt'), type: 'load', ts: at, visibility: 'visible', navigation: 'reload', previousVersion }])
  }
}

/** Sends every tab's requests concurrently (group commit batches them); twice when `resend`, as a client retrying lost answers. */
export async function sendAll(key: string, tabs: readonly Tab[], resend = true): Promise<void> {
  const all = tabs.flatMap((t) => t.sent)
  const rounds = resend ? [all, all] : [all]
  for (const round of rounds) {
    const results = await Promise.all(
      round.map(({ receivedAt, envelope }) =>
        handleIngest(
          {
            method: 'POST',
            contentType: 'application/json',
            queryKey: null,
            body: new TextEncoder().encode(JSON.stringify({ key, ...envelope })),
            bodyTooLarge: false,
            receivedAt,
          },
          { ...ingestRuntime().deps, rateLimiter: undefined, retentionDays: 3650 },
        ),
      ),
    )
    for (const r of results) {
      expect(r.status).toBe(200)
      expect((r.body as { rejected: unknown[] }).rejected).toEqual([])
    }
  }
}
