import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { init, reload, report } from '../../../sdk/src/index'
import { QUEUE_MAX } from '../../../sdk/src/queue'
import { fakeEnv, ok, type FakeAnswer, type Sent } from '../fakes'

// Events not acknowledged yet survive a reload of the tab: kept in
// sessionStorage (bounded), sent by the next load under their own load's
// head, each counted once by its id.

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 })
})
afterEach(() => {
  vi.useRealTimers()
})

type Server = { down: boolean; stored: Map<string, Sent['envelope']>; respond: (sent: Sent) => FakeAnswer }

/** Ingest that stores what it acknowledges, by event id; down = network errors. */
function server(): Server {
  const s: Server = {
    down: true,
    stored: new Map(),
    respond: (sent) => {
      if (s.down) return { networkError: true }
      for (const e of sent.envelope.events) s.stored.set(e.id, sent.envelope)
      return ok()
    },
  }
  return s
}

describe('events across loads of a tab', () => {
  it('a reload during an outage keeps its reason and its heartbeats: the next load sends them under the old load', async () => {
    const storage = new Map<string, string>()
    const ingest = server()
    // Once it reloads, the first page is gone: nothing it still had queued leaves it.
    const first = fakeEnv({ storage, respond: (sent) => (first.reloads.length ? { networkError: true } : ingest.respond(sent)), random: () => 0.5 })
    init({ key: 'pk', version: 'v1', env: first.env, heartbeatSeconds: 10 })
    await vi.advanceTimersByTimeAsync(35_000)
    reload('update_prompt')
    expect(first.reloads).toHaveLength(1)
    const made = [...new Set([...first.requests, ...first.beacons].flatMap((r) => r.envelope.events.map((e) => e.id)))]
    expect(made.length).toBeGreaterThanOrEqual(5) // load, 3 heartbeats, reload

    // The reloaded page (v2) comes up while ingest is still down, then ingest recovers.
    const second = fakeEnv({ storage, respond: ingest.respond, navigation: 'reload', random: () => 0.5 })
    init({ key: 'pk', version: 'v2', env: second.env, heartbeatSeconds: 10 })
    await vi.advanceTimersByTimeAsync(5_000)
    ingest.down = false
    await vi.advanceTimersByTimeAsync(120_000)

    const oldLoad = first.requests[0]!.envelope.load
    for (const id of made) expect(ingest.stored.get(id), id).toMatchObject({ load: oldLoad, version: 'v1', replay: true })
    const reloadEvent = [...ingest.stored.entries()].find(([, env]) => env.load === oldLoad && env.events.some((e) => e.type == 'reload'))
    expect(reloadEvent![1].events.find((e) => e.type == 'reload')).toMatchObject({ reason: 'update_prompt' })
    // The new load's own events go under its own head, not marked.
    const own = [...ingest.stored.values()].filter((env) => env.load !== oldLoad)
    expect(own.length).toBeGreaterThan(0)
    for (const env of own) expect(env).toMatchObject({ version: 'v2' })
    expect(own.some((env) => env.replay)).toBe(false)
    // Settled: nothing is kept any more.
    second.fire('window', 'pagehide')
    expect((JSON.parse(storage.get('sw_q')!) as [unknown, unknown[]][]).every(([, events]) => events.length === 0)).toBe(true)
  })

  it('keeps at most five loads of at most QUEUE_MAX events each, however often the tab reloads in an outage', async () => {
    const storage = new Map<string, string>()
    const ingest = server()
    for (let i = 0; i < 8; i++) {
      const f = fakeEnv({ storage, respond: ingest.respond, random: () => 0.5 })
      init({ key: 'pk', version: 'v1', env: f.env, heartbeatSeconds: 3600 })
      for (let j = 0; j < 300; j++) report(`e${i}.${j}`)
      await vi.advanceTimersByTimeAsync(2_000)
      reload('app')
    }
    const kept = JSON.parse(storage.get('sw_q')!) as [unknown, unknown[]][]
    expect(kept).toHaveLength(5)
    for (const [, events] of kept) expect(events.length).toBeLessThanOrEqual(QUEUE_MAX)
    expect(storage.get('sw_q')!.length).toBeLessThan(5 * QUEUE_MAX * 200)
  })

  it('a malformed stored queue is ignored, never thrown into the app', async () => {
    for (const junk of ['{', '5', '[[null, 3]]', '[["h"]]', '[{"a":1}]']) {
      const storage = new Map([['sw_q', junk]])
      const f = fakeEnv({ storage })
      expect(() => init({ key: 'pk', version: 'v1', env: f.env })).not.toThrow()
      await vi.advanceTimersByTimeAsync(1_000)
      expect(f.requests.some((r) => r.envelope.events.some((e) => e.type == 'load')), junk).toBe(true)
    }
  })

  it('a full queue drops the oldest events waiting, never those in flight', async () => {
    let release: ((a: FakeAnswer) => void) | undefined
    const f = fakeEnv({ respond: () => new Promise<FakeAnswer>((r) => (release = r)) })
    init({ key: 'pk', version: 'v1', env: f.env, heartbeatSeconds: 3600 })
    await vi.advanceTimersByTimeAsync(1_000)
    const inFlight = f.requests[0]!.envelope.events.map((e) => e.id)
    for (let j = 0; j < 300; j++) report(`e${j}`)
    release!({ status: 503, headers: { 'retry-after': '1' } })
    await vi.advanceTimersByTimeAsync(1_000)
    // The retry carries what was in flight, first, and the newest of the rest.
    expect(f.requests[1]!.envelope.events.slice(0, inFlight.length).map((e) => e.id)).toEqual(inFlight)
    expect(f.requests[1]!.envelope.dropped).toBe(1 + 300 - QUEUE_MAX)
  })
})
