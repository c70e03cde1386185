import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import vm from 'node:vm'
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { buildSdk, SCRIPT_TAG_RULES_FILE } from '../../../sdk/scripts/build'
import { watchFields } from '../../../sdk/src/fields'
import { init, reload } from '../../../sdk/src/index'
import { watchReloads, type Early } from '../../../sdk/src/reloads'
import { FakeBrowser, fakeEnv, headerOk, type FakeOptions } from '../fakes'

// The script tag's automatic reloads come in two files: stalewatch.js watches
// from the start what the rules need and keeps what would start a reload;
// stalewatch-reloads.js, the rules, arrives only once a reload can matter and
// takes that over (sdk/src/iife.ts). First the rules taking over (fake
// timers), then the two built files in one window (node:vm), then Chromium
// (test/scenarios/rollout/script-tag-reloads.browser.test.ts).

describe('the rules take over what the script tag kept before they came', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  /** What stalewatch.js does before the rules: watch fields, start the SDK, keep the hooks' calls. */
  function scriptTagTab(o: FakeOptions = {}) {
    const f = fakeEnv({ visibility: 'hidden', ...o })
    const early: Early = { f: watchFields(f.env.document) }
    init({ key: 'pk', version: 'v1', env: f.env, heartbeatSeconds: 60 })
    return { ...f, early, rules: () => watchReloads({ env: f.env }, early) }
  }

  it('a field edited before the rules came counts as unsaved work', async () => {
    const t = scriptTagTab({ respond: () => headerOk({ latest: 'v2', minSupported: 'v2', belowMinimum: true, reloadIn: 0 }) })
    const field = { value: '', checked: false }
    t.fire('document', 'focusin', { target: field })
    field.value = 'typed before any update'
    t.rules()
    await vi.advanceTimersByTimeAsync(10 * 60_000)
    expect(t.reloads).toHaveLength(0)
    expect(t.requests.flatMap((r) => r.envelope.events).filter((e) => e.type == 'heartbeat').at(-1)).toMatchObject({ unsaved: true })
    field.value = ''
    await vi.advanceTimersByTimeAsync(61_000)
    expect(t.reloads).toHaveLength(1)
  })

  it('a form submitted before the rules came still counts until submitted again (errs on keeping the work)', async () => {
    const t = scriptTagTab({ respond: () => headerOk({ latest: 'v2', minSupported: 'v2', belowMinimum: true, reloadIn: 0 }) })
    const form = { elements: [] as object[] }
    const field = { value: '', checked: false, form }
    form.elements.push(field)
    t.fire('document', 'focusin', { target: field })
    field.value = 'saved in place'
    t.fire('document', 'submit', { target: form })
    t.rules()
    await vi.advanceTimersByTimeAsync(5 * 60_000)
    expect(t.reloads).toHaveLength(0)
    t.fire('document', 'submit', { target: form })
    await vi.advanceTimersByTimeAsync(61_000)
    expect(t.reloads).toHaveLength(1)
  })

  it('the answer kept before the rules came is acted on: its "now" (counted by the server) reloads, its slot is kept', async () => {
    const now = scriptTagTab()
    now.early.a = { latest: 'v2', belowMinimum: true, reloadIn: 0 }
    now.rules()
    expect(now.reloads).toHaveLength(1)
    expect(now.beacons.at(-1)!.envelope.events.at(-1)).toMatchObject({ type: 'reload', reason: 'forced' })

    const due = Date.now() + 90_000
    const slot = scriptTagTab({ respond: () => headerOk({ latest: 'v2', belowMinimum: true, reloadIn: Math.max(0, due - Date.now()) }) })
    slot.early.a = { latest: 'v2', belowMinimum: true, reloadIn: 90_000 }
    slot.rules()
    await vi.advanceTimersByTimeAsync(due - Date.now() - 1)
    expect(slot.reloads).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1)
    await vi.advanceTimersByTimeAsync(0)
    expect(slot.reloads).toEqual([due])
  })

  it('a chunk error kept before the rules came reloads under the rules', async () => {
    const t = scriptTagTab({ visibility: 'visible' })
    t.early.r = 'chunk_error'
    t.rules()
    expect(t.reloads).toHaveLength(0)
    t.setVisibility('hidden')
    expect(t.reloads).toHaveLength(1)
    expect(t.beacons.at(-1)!.envelope.events.at(-1)).toMatchObject({ type: 'reload', reason: 'chunk_error' })
  })

  it('counts idle from when the rules came, not from the page load', async () => {
    const t = scriptTagTab({ visibility: 'visible', respond: () => headerOk({ latest: 'v2', belowMinimum: true, reloadIn: 0 }) })
    await vi.advanceTimersByTimeAsync(60 * 60_000)
    t.rules()
    await vi.advanceTimersByTimeAsync(14 * 60_000)
    expect(t.reloads).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(2 * 60_000)
    expect(t.reloads).toHaveLength(1)
  })

  it('a tab whose rules come after another tab accepted the prompt follows it (the mark in localStorage), staggered', async () => {
    const browser = new FakeBrowser()
    const answer = () => headerOk({ latest: 'v2' })
    const front = fakeEnv({ browser, visibility: 'visible', respond: answer })
    const options = { key: 'pk', version: 'v1', env: front.env, staggerSeconds: 3 }
    init(options)
    watchReloads(options)
    await vi.advanceTimersByTimeAsync(1_000)
    const clicked = Date.now()
    reload('update_prompt')
    expect(front.reloads).toEqual([clicked])
    expect(browser.localStorage.get('sw_u')).toBe('v2')

    // A background tab that had not heard of v2 then: it hears at its next heartbeat, and its rules come.
    const late = fakeEnv({ browser, visibility: 'hidden', respond: answer })
    const early: Early = { f: watchFields(late.env.document) }
    init({ key: 'pk', version: 'v1', env: late.env, staggerSeconds: 3 })
    await vi.advanceTimersByTimeAsync(1_000)
    watchReloads({ env: late.env, staggerSeconds: 3 }, early)
    const heard = Date.now()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(late.reloads).toHaveLength(1)
    expect(late.reloads[0]! - heard).toBeGreaterThanOrEqual(3_000)
    expect(late.beacons.at(-1)!.envelope.events.at(-1)).toMatchObject({ type: 'reload', reason: 'update_prompt' })

    // The mark is for that version only: a tab that hears of a later one shows its prompt instead.
    const later = fakeEnv({ browser, visibility: 'hidden', respond: () => headerOk({ latest: 'v3' }) })
    init({ key: 'pk', version: 'v2', env: later.env })
    await vi.advanceTimersByTimeAsync(1_000)
    watchReloads({ env: later.env }, { f: watchFields(later.env.document) })
    await vi.advanceTimersByTimeAsync(60_000)
    expect(later.reloads).toHaveLength(0)
  })
})

describe('the two built files in one window', () => {
  let script: string
  let rules: string
  beforeAll(async () => {
    const outDir = mkdtempSync(path.join(tmpdir(), 'stalewatch-sdk-'))
    await buildSdk({ outDir, publicFile: false, types: false })
    script = readFileSync(path.join(outDir, 'stalewatch.js'), 'utf8')
    rules = readFileSync(path.join(outDir, SCRIPT_TAG_RULES_FILE), 'utf8')
  }, 60_000)

  /**
   * A hidden window running stalewatch.js from its tag, answered by `answer`.
   * node:vm has no import() for scripts without a flag, so the one import()
   * in the file is pointed at a recorder that runs the rules in the same window.
   * The tag's src is on another origin than the page, as from Stalewatch.
   */
  function window(answer: () => Record<string, unknown>) {
    const imported: string[] = []
    const reloads: string[] = []
    const beacons: { events: { type: string; reason?: string }[] }[] = []
    const later: { fn: () => void; ms: number }[] = []
    const listeners = new Map<string, ((e: unknown) => void)[]>()
    const on = (t: string, fn: (e: unknown) => void) => listeners.set(t, [...(listeners.get(t) ?? []), fn])
    const storage = new Map<string, string>()
    const sent: { type: string; reason?: string }[] = []
    /** What left the window, in order: each event's type as it was sent, and 'location.reload'. */
    const log: string[] = []
    const probed: string[] = []
    const sandbox: Record<string, unknown> = {
      document: {
        currentScript: { src: 'https://sw.example/sdk.js', dataset: { key: 'pk', version: 'v1', prompt: 'false' } },
        visibilityState: 'hidden',
        hasFocus: () => false,
        addEventListener: on,
        querySelectorAll: () => [],
      },
      // A window's own origin (self.origin), as the page's location has it.
      origin: 'https://app.example',
      location: { origin: 'https://app.example', href: 'https://app.example/', reload: () => (log.push('location.reload'), reloads.push('reload')) },
      navigator: {
        sendBeacon: (_: string, body: string) => {
          log.push(...(JSON.parse(body) as { events: { type: string }[] }).events.map((e) => e.type))
          return beacons.push(JSON.parse(body))
        },
      },
      sessionStorage: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => storage.set(k, v) },
      // Ingest's answer; anything else is a probe of a failed chunk, which answers 404.
      fetch: async (url: string, init: { body?: string }) => {
        if (!init.body) return (probed.push(url), { ok: false, status: 404, headers: { get: () => null } })
        sent.push(...JSON.parse(init.body).events)
        log.push(...sent.slice(-JSON.parse(init.body).events.length).map((e) => e.type))
        return { ok: true, status: 204, headers: { get: (h: string) => (h == 'stalewatch-answer' ? JSON.stringify(answer()) : null) } }
      },
      setTimeout: (fn: () => void, ms: number) => (ms <= 1000 ? setTimeout(fn, 0) : later.push({ fn, ms })),
      clearTimeout: () => {},
      addEventListener: on,
      Math,
      Date,
      JSON,
      Blob,
      URL,
      Response,
      Promise,
    }
    sandbox.globalThis = sandbox
    sandbox.window = sandbox
    const context = vm.createContext(sandbox)
    // Asynchronous like a browser's fetch of the module: the answer that asked for it is handled before it runs.
    sandbox.__import = (specifier: unknown) => {
      imported.push(String(specifier))
      return new Promise((resolve) => setTimeout(() => resolve(vm.runInContext(rules, context)), 5))
    }
    expect(script.split('import(')).toHaveLength(2)
    vm.runInContext(script.replace('import(', '__import('), context)
    const settle = () => new Promise((r) => setTimeout(r, 20))
    const api = sandbox.Stalewatch as { beat(): void; getState(): { updateAvailable: boolean } }
    const fire = (type: string, e: object) => listeners.get(type)?.forEach((fn) => fn(e))
    return { imported, reloads, beacons, later, api, settle, fire, sent, probed, log }
  }

  it('loads the rules only once an answer says an update is available, then reloads in the slot the answer gave', async () => {
    let versions: Record<string, unknown> = { latest: 'v1' }
    const w = window(() => versions)
    await w.settle()
    w.api.beat()
    await w.settle()
    expect(w.imported).toEqual([])

    const slotMs = 5 * 60_000
    versions = { latest: 'v2', minSupported: 'v2', belowMinimum: true, reloadIn: slotMs }
    w.api.beat()
    await w.settle()
    expect(w.imported).toEqual([`https://sw.example/${SCRIPT_TAG_RULES_FILE}`])
    expect(w.reloads).toEqual([])
    // The rules kept the slot of the answer that brought them.
    const slot = w.later.find((t) => t.ms == slotMs)!
    expect(slot).toBeDefined()
    versions = { latest: 'v2', minSupported: 'v2', belowMinimum: true, reloadIn: 0 }
    slot.fn()
    await w.settle()
    expect(w.reloads).toEqual(['reload'])
    expect(w.beacons.at(-1)!.events.at(-1)).toMatchObject({ type: 'reload', reason: 'forced' })
    expect(w.imported).toHaveLength(1)
  })

  it('a chunk error before any update loads the rules, which probe it, send its skew_error, then reload the hidden tab with reason chunk_error', async () => {
    const w = window(() => ({ latest: 'v1' }))
    await w.settle()
    w.fire('error', { target: { tagName: 'SCRIPT', src: 'https://app.example/assets/chunk-1.js' } })
    await w.settle()
    expect(w.imported).toEqual([`https://sw.example/${SCRIPT_TAG_RULES_FILE}`])
    expect(w.probed).toEqual(['https://app.example/assets/chunk-1.js'])
    expect(w.reloads).toEqual(['reload'])
    // The beacon at the reload may carry a copy of what a fetch had in flight: one event by its id.
    const events = new Map([...w.sent, ...w.beacons.at(-1)!.events].map((e) => [(e as { id?: string }).id, e]))
    expect([...events.values()].filter((e) => e.type == 'skew_error')).toMatchObject([{ type: 'skew_error', cause: 'gone', path: '/assets/chunk-*.js' }])
    expect(w.beacons.at(-1)!.events.at(-1)).toMatchObject({ type: 'reload', reason: 'chunk_error' })
  })

  it('a chunk error once the rules are in: the hidden tab reloads only after its skew_error is queued', async () => {
    const w = window(() => ({ latest: 'v2' }))
    await w.settle()
    // The update brought the rules in; the prompt is off.
    expect(w.imported).toHaveLength(1)
    w.fire('error', { target: { tagName: 'SCRIPT', src: 'https://app.example/assets/chunk-2.js' } })
    await w.settle()
    expect(w.probed).toEqual(['https://app.example/assets/chunk-2.js'])
    expect(w.reloads).toEqual(['reload'])
    // The skew_error left (by fetch, or in the beacon that goes just before the reload) before the page went.
    expect(w.log.slice(w.log.indexOf('skew_error'))).toContain('location.reload')
    expect(w.log.indexOf('skew_error')).toBeGreaterThan(-1)
    const events = new Map([...w.sent, ...w.beacons.at(-1)!.events].map((e) => [(e as { id?: string }).id, e]))
    expect([...events.values()].filter((e) => e.type == 'skew_error')).toMatchObject([{ cause: 'gone', path: '/assets/chunk-*.js' }])
  })
})
