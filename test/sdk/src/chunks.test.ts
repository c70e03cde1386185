import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { chunkError, chunkFailed, watchChunks } from '../../../sdk/src/chunks'
import { MAX_PROBES } from '../../../sdk/src/skew'
import { init } from '../../../sdk/src/index'
import { watchReloads } from '../../../sdk/src/reloads'
import { fakeEnv, response, type FakeAnswer } from '../fakes'

const origin = 'https://app.example'
const ev = (e: object) => e as unknown as Event

describe('chunkError', () => {
  it('recognises same-origin scripts and stylesheets that failed to load', () => {
    expect(chunkError(ev({ target: { tagName: 'SCRIPT', src: `${origin}/_next/static/chunks/1.js` } }), origin)).toBe(
      `${origin}/_next/static/chunks/1.js`,
    )
    expect(chunkError(ev({ target: { tagName: 'LINK', href: `${origin}/_next/static/css/a.css` } }), origin)).toBeTruthy()
  })
  it('ignores other origins, images and ordinary errors', () => {
    expect(chunkError(ev({ target: { tagName: 'SCRIPT', src: 'https://cdn.other.example/x.js' } }), origin)).toBeUndefined()
    expect(chunkError(ev({ target: { tagName: 'SCRIPT', src: `${origin}.evil.example/x.js` } }), origin)).toBeUndefined()
    expect(chunkError(ev({ target: { tagName: 'IMG', src: `${origin}/a.png` } }), origin)).toBeUndefined()
    expect(chunkError(ev({ error: new TypeError('x is undefined'), target: {} }), origin)).toBeUndefined()
    expect(chunkError(ev({ reason: new Error('boom') }), origin)).toBeUndefined()
  })
  it('recognises bundler chunk errors in error and unhandledrejection events', () => {
    const webpack = Object.assign(new Error('Loading chunk 123 failed.\n(error: https://app.example/1.js)'), { name: 'ChunkLoadError' })
    expect(chunkError(ev({ reason: webpack }), origin)).toMatch(/^Loading chunk 123 failed/)
    expect(chunkError(ev({ error: new Error('Loading CSS chunk 7 failed.') }), origin)).toBeTruthy()
    expect(chunkError(ev({ reason: new Error('Failed to load chunk /_next/static/chunks/a.js from module 1') }), origin)).toBeTruthy()
    expect(chunkError(ev({ reason: new TypeError('Failed to fetch dynamically imported module: /a.js') }), origin)).toBeTruthy()
    expect(chunkError(ev({ reason: 'Loading chunk 5 failed' }), origin)).toBe('Loading chunk 5 failed')
    expect(chunkError(ev({ reason: new Error('Loading chunk ' + 'x'.repeat(1000)) }), origin)!.length).toBe(300)
  })
})

describe('watchChunks', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  /** A fake window whose fetch of anything but ingest is the probe, answered by probe(url). */
  const withProbe = (f: ReturnType<typeof fakeEnv>, probe: (url: string) => FakeAnswer) => {
    const ingest = f.env.fetch
    const probes: { url: string; init: unknown }[] = []
    Object.assign(f.env.location, { href: 'https://app.example/settings/42' })
    Object.assign(f.env, {
      performance: { ...f.env.performance, now: () => 4321.4 },
      fetch: (url: string, init: { method?: string }) => {
        if (init.method == 'POST') return ingest(url, init as never)
        probes.push({ url, init })
        const a = probe(url)
        return a.networkError ? Promise.reject(new TypeError('Failed to fetch')) : Promise.resolve(response(a))
      },
    })
    return probes
  }

  it('probes the failing URL once without cache, sends one skew_error with its cause, path group and age, then reloads with reason chunk_error', async () => {
    const f = fakeEnv({ visibility: 'hidden' })
    const probes = withProbe(f, () => ({ status: 404 }))
    init({ key: 'pk', version: 'v1', env: f.env })
    watchReloads({ env: f.env })
    watchChunks(f.env)
    const failed = new TypeError('Failed to fetch dynamically imported module: https://app.example/assets/Lazy-B2x_3kLq.js?v=1')
    f.fire('window', 'unhandledrejection', { reason: failed })
    // Vite's own event for the same import, then the same failure again: one probe, one event.
    f.fire('window', 'vite:preloadError', { payload: failed })
    f.fire('window', 'unhandledrejection', { reason: failed })
    await vi.advanceTimersByTimeAsync(0)
    expect(probes).toEqual([{ url: 'https://app.example/assets/Lazy-B2x_3kLq.js?v=1', init: { cache: 'no-store' } }])
    expect(f.reloads).toHaveLength(1)
    const sent = f.events()
    expect(sent.filter((e) => e.type == 'skew_error' || e.type == 'reload')).toMatchObject([
      { type: 'skew_error', cause: 'gone', path: '/assets/Lazy-*.js', age: 4321 },
      { type: 'reload', reason: 'chunk_error' },
    ])
    expect(sent.some((e) => e.type == 'error')).toBe(false)
  })

  it('sends a failure the framework caught itself (Nuxt app:chunkError, Angular NavigationError) as the same probed skew_error, once, then reloads', async () => {
    const f = fakeEnv({ visibility: 'hidden' })
    const probes = withProbe(f, () => ({ status: 404 }))
    init({ key: 'pk', version: 'v1', env: f.env })
    watchReloads({ env: f.env })
    watchChunks(f.env)
    const message = 'Failed to fetch dynamically imported module: https://app.example/_nuxt/Lazy.Bq3xT9kL.js'
    await Promise.all([chunkFailed(message), chunkFailed(message)])
    await vi.advanceTimersByTimeAsync(0)
    expect(probes).toEqual([{ url: 'https://app.example/_nuxt/Lazy.Bq3xT9kL.js', init: { cache: 'no-store' } }])
    expect(f.reloads).toHaveLength(1)
    const sent = f.events()
    expect(sent.filter((e) => e.type == 'skew_error' || e.type == 'reload')).toMatchObject([
      { type: 'skew_error', cause: 'gone', path: '/_nuxt/Lazy.*.js' },
      { type: 'reload', reason: 'chunk_error' },
    ])
    expect(sent.some((e) => e.type == 'error')).toBe(false)
  })

  it('classifies by the probe: a cached 404, HTML for a script, a fetch that throws', async () => {
    const f = fakeEnv({ visibility: 'visible' })
    withProbe(f, (url): FakeAnswer =>
      url.includes('cached') ? { status: 404, headers: { age: '42' } } : url.includes('html') ? { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' } } : { networkError: true },
    )
    init({ key: 'pk', version: 'v1', env: f.env })
    watchChunks(f.env)
    for (const name of ['cached', 'html', 'offline']) f.fire('window', 'error', { target: { tagName: 'SCRIPT', src: `https://app.example/assets/${name}-AbCdEf12.js` } })
    f.fire('window', 'unhandledrejection', { reason: new Error('Failed to find Server Action "7f3a". This request might be from an older or newer deployment.') })
    await vi.advanceTimersByTimeAsync(1_000)
    // The server action needs no probe: its event comes first. Its path group is the page's.
    expect(f.events().filter((e) => e.type == 'skew_error')).toMatchObject([
      { cause: 'server_action_missing', path: '/settings/*' },
      { cause: 'cached_404', path: '/assets/cached-*.js' },
      { cause: 'html_instead_of_script', path: '/assets/html-*.js' },
      { cause: 'network', path: '/assets/offline-*.js' },
    ])
  })

  it('takes a script answered with HTML by the SyntaxError that names it, without a probe', async () => {
    const f = fakeEnv({ visibility: 'visible' })
    const probes = withProbe(f, () => ({ status: 200 }))
    init({ key: 'pk', version: 'v1', env: f.env })
    watchChunks(f.env)
    f.fire('window', 'error', { message: "Uncaught SyntaxError: Unexpected token '<'", filename: 'https://app.example/static/js/main.8f3a2b1c.js', error: new SyntaxError("Unexpected token '<'") })
    // The same from another origin is not this app's code.
    f.fire('window', 'error', { message: "Uncaught SyntaxError: Unexpected token '<'", filename: 'https://cdn.other.example/x.js', error: new SyntaxError("Unexpected token '<'") })
    await vi.advanceTimersByTimeAsync(1_000)
    expect(probes).toEqual([])
    expect(f.events().filter((e) => e.type == 'skew_error')).toMatchObject([{ cause: 'html_instead_of_script', path: '/static/js/main.*.js' }])
  })

  it('probes at most MAX_PROBES URLs per page load, however many fail', async () => {
    const f = fakeEnv({ visibility: 'visible' })
    const probes = withProbe(f, () => ({ status: 404 }))
    init({ key: 'pk', version: 'v1', env: f.env })
    watchChunks(f.env)
    for (let i = 0; i < 50; i++) f.fire('window', 'error', { target: { tagName: 'SCRIPT', src: `https://app.example/_next/static/chunks/${i}.js` } })
    await vi.advanceTimersByTimeAsync(1_000)
    expect(probes).toHaveLength(MAX_PROBES)
    expect(f.events().filter((e) => e.type == 'skew_error')).toHaveLength(MAX_PROBES)
  })

  it('does not reload while canReload() returns false', async () => {
    const f = fakeEnv({ visibility: 'hidden' })
    withProbe(f, () => ({ status: 404 }))
    const options = { key: 'pk', version: 'v1', env: f.env, canReload: () => false }
    init(options)
    watchReloads(options)
    watchChunks(f.env)
    f.fire('window', 'error', { target: { tagName: 'SCRIPT', src: 'https://app.example/_next/static/chunks/2.js' } })
    await vi.advanceTimersByTimeAsync(1_000)
    expect(f.events().filter((e) => e.type == 'skew_error')).toHaveLength(1)
    expect(f.reloads).toHaveLength(0)
  })
})
