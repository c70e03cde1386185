import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { chunkError, watchChunks } from '../../sdk/src/chunks'
import { init } from '../../sdk/src/index'
import { watchReloads } from '../../sdk/src/reloads'
import { fakeEnv } from './fakes'

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

  it('reports an error event and reloads with reason chunk_error, once per window', async () => {
    const f = fakeEnv({ visibility: 'hidden' })
    init({ key: 'pk', version: 'v1', env: f.env })
    watchReloads({ env: f.env })
    watchChunks(f.env)
    f.fire('window', 'unhandledrejection', { reason: Object.assign(new Error('Loading chunk 1 failed.'), { name: 'ChunkLoadError' }) })
    expect(f.reloads).toHaveLength(1)
    const sent = f.beacons.flatMap((b) => b.envelope.events)
    expect(sent.slice(-2)).toMatchObject([{ type: 'error', message: 'Loading chunk 1 failed.' }, { type: 'reload', reason: 'chunk_error' }])
    // a second failure in the same session: reported, not reloaded again
    f.fire('window', 'error', { target: { tagName: 'SCRIPT', src: 'https://app.example/_next/static/chunks/2.js' } })
    expect(f.reloads).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(f.requests.at(-1)!.envelope.events.at(-1)).toMatchObject({ type: 'error' })
  })

  it('does not reload while canReload() returns false', () => {
    const f = fakeEnv({ visibility: 'hidden' })
    const options = { key: 'pk', version: 'v1', env: f.env, canReload: () => false }
    init(options)
    watchReloads(options)
    watchChunks(f.env)
    f.fire('window', 'error', { target: { tagName: 'SCRIPT', src: 'https://app.example/_next/static/chunks/2.js' } })
    expect(f.reloads).toHaveLength(0)
  })
})
