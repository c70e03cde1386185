import { describe, expect, it } from 'vitest'
import { causeOf, failingUrl, pathGroup, watchWorkerSwap } from '@/sdk/src/skew'

// The SDK's skew-error classifier and path groups as code: the causes a test
// in Chromium cannot produce here (a service-worker swap, a missing server
// action) are checked this way (docs/skew-errors.md).

const answer = (status: number, o: { type?: string; age?: number; hit?: boolean } = {}) => ({ status, type: o.type ?? '', age: o.age ?? 0, hit: o.hit ?? false })

describe('causeOf', () => {
  it('names each cause from the message, the worker swap and the probe', () => {
    expect(causeOf('Loading chunk 3 failed.', true, false, answer(404))).toBe('gone')
    expect(causeOf('Loading chunk 3 failed.', true, false, answer(410))).toBe('gone')
    expect(causeOf('x', true, false, answer(404, { age: 120 }))).toBe('cached_404')
    expect(causeOf('x', true, false, answer(404, { hit: true }))).toBe('cached_404')
    expect(causeOf('x', true, false, answer(200, { type: 'text/html; charset=utf-8' }))).toBe('html_instead_of_script')
    expect(causeOf("Uncaught SyntaxError: Unexpected token '<'", true, false)).toBe('html_instead_of_script')
    expect(causeOf('x', false, false, answer(200, { type: 'text/html' }))).toBe('other')
    expect(causeOf('x', true, false, null)).toBe('network')
    expect(causeOf('x', true, true, answer(404))).toBe('sw_swap')
    expect(causeOf('Failed to find Server Action "abc". This request might be from an older or newer deployment.', false, false)).toBe('server_action_missing')
    expect(causeOf('Server Action "abc" was not found on the server.', false, true)).toBe('server_action_missing')
    expect(causeOf('x', true, false, answer(200, { type: 'text/javascript' }))).toBe('other')
    expect(causeOf('x', true, false, answer(503))).toBe('other')
  })
})

describe('watchWorkerSwap', () => {
  const container = (controller: unknown) => {
    let fire = () => {}
    return { sw: { controller, addEventListener: (_: string, fn: () => void) => void (fire = fn) }, change: () => fire() }
  }
  it('says swapped once a controlled page gets a new controller, not when a first worker claims it', () => {
    const controlled = container({})
    const swapped = watchWorkerSwap({ serviceWorker: controlled.sw })
    expect(swapped()).toBe(false)
    controlled.change()
    expect(swapped()).toBe(true)
    const first = container(null)
    const claimed = watchWorkerSwap({ serviceWorker: first.sw })
    first.change()
    expect(claimed()).toBe(false)
    expect(watchWorkerSwap({})()).toBe(false)
  })
})

describe('pathGroup and failingUrl', () => {
  const base = 'https://app.example/settings/42?tab=1'
  it('keeps the path alone with hashes, ids and numbers as *', () => {
    expect(pathGroup('https://app.example/assets/index-BdH3k2Lq.js?v=3#x', base)).toBe('/assets/index-*.js')
    expect(pathGroup('/assets/Lazy-B-x_3kLq.js', base)).toBe('/assets/Lazy-*.js')
    expect(pathGroup('/_next/static/chunks/app/page-0a1b2c3d4e5f6789.js', base)).toBe('/_next/static/chunks/app/page-*.js')
    expect(pathGroup('/_next/static/chunks/123.js', base)).toBe('/_next/static/chunks/*.js')
    expect(pathGroup('/_next/static/abcDEF123xyz/_buildManifest.js', base)).toBe('/_next/static/*/_buildManifest.js')
    expect(pathGroup('/static/js/main.8f3a2b1c.chunk.js', base)).toBe('/static/js/main.*.chunk.js')
    expect(pathGroup(base, base)).toBe('/settings/*')
    expect(pathGroup('/assets/vendor-react.js', base)).toBe('/assets/vendor-react.js')
    expect(pathGroup('/' + 'a/'.repeat(200), base)).toHaveLength(200)
  })
  it('finds the URL a failure names', () => {
    expect(failingUrl('Failed to fetch dynamically imported module: https://app.example/assets/Lazy-abc.js', base)).toBe('https://app.example/assets/Lazy-abc.js')
    expect(failingUrl('Loading chunk 123 failed.\n(error: https://app.example/1.js)', base)).toBe('https://app.example/1.js')
    expect(failingUrl('Failed to load chunk /_next/static/chunks/a.js from module 1', base)).toBe('https://app.example/_next/static/chunks/a.js')
    expect(failingUrl('Unable to preload CSS for /assets/x-AbCdEfGh.css', base)).toBe('https://app.example/assets/x-AbCdEfGh.css')
    expect(failingUrl('Loading chunk 5 failed', base)).toBeUndefined()
  })
})
