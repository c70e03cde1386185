import { describe, expect, it } from 'vitest'
import { socketUrls, tagRequests, taggedFetch, versionedUrl, type TagEnv } from '../../../sdk/src/tag-requests'

// The browser's tagging with fakes of fetch, XMLHttpRequest and location:
// which requests carry x-app-version, and what the socket URLs look like.

function fakePage(origin = 'https://app.example') {
  const fetched: { url: string; headers: Headers }[] = []
  const xhrs: FakeXhr[] = []
  class FakeXhr {
    url = ''
    headers = new Map<string, string[]>()
    constructor() {
      xhrs.push(this)
    }
    open(_method: string, url: string | URL) {
      this.url = String(url)
    }
    setRequestHeader(name: string, value: string) {
      this.headers.set(name.toLowerCase(), [...(this.headers.get(name.toLowerCase()) ?? []), value])
    }
  }
  const env = {
    location: { href: `${origin}/shop/cart?x=1`, origin },
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = typeof input === 'string' ? input : 'url' in input ? input.url : input.href
      fetched.push({ url, headers: new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined)) })
      return new Response('ok')
    },
    XMLHttpRequest: FakeXhr,
  }
  return { env: env as unknown as TagEnv & typeof env, fetched, xhrs, FakeXhr }
}

describe('tagRequests', () => {
  it('adds x-app-version to same-origin and listed origins, and to nothing else', async () => {
    const page = fakePage()
    const undo = tagRequests({ version: 'v7', origins: ['https://api.example'], env: page.env })
    await page.env.fetch('/api/items/1')
    await page.env.fetch('https://app.example/api/cart', { method: 'POST', headers: { 'content-type': 'application/json' } })
    await page.env.fetch(new URL('https://api.example/v1/search'))
    await page.env.fetch(new Request('https://app.example/api/req', { headers: { accept: 'text/plain' } }))
    await page.env.fetch('https://analytics.other.example/collect')
    await page.env.fetch('http://app.example/insecure-is-another-origin')
    await page.env.fetch('https://api.example.evil.test/lookalike')
    expect(page.fetched.map((f) => [f.url, f.headers.get('x-app-version')])).toEqual([
      ['/api/items/1', 'v7'],
      ['https://app.example/api/cart', 'v7'],
      ['https://api.example/v1/search', 'v7'],
      ['https://app.example/api/req', 'v7'],
      ['https://analytics.other.example/collect', null],
      ['http://app.example/insecure-is-another-origin', null],
      ['https://api.example.evil.test/lookalike', null],
    ])
    // The app's own headers stay, a Request's included.
    expect(page.fetched[1]!.headers.get('content-type')).toBe('application/json')
    expect(page.fetched[3]!.headers.get('accept')).toBe('text/plain')

    const own = new page.FakeXhr()
    own.open('GET', '/api/xhr')
    const listed = new page.FakeXhr()
    listed.open('POST', 'https://api.example/v1/x')
    const foreign = new page.FakeXhr()
    foreign.open('GET', 'https://cdn.other.example/lib.js')
    expect(page.xhrs.map((x) => [x.url, x.headers.get('x-app-version')])).toEqual([
      ['/api/xhr', ['v7']],
      ['https://api.example/v1/x', ['v7']],
      ['https://cdn.other.example/lib.js', undefined],
    ])

    undo()
    await page.env.fetch('/api/after-undo')
    const after = new page.FakeXhr()
    after.open('GET', '/api/after-undo')
    expect(page.fetched.at(-1)!.headers.get('x-app-version')).toBeNull()
    expect(after.headers.size).toBe(0)
  })

  it('tags with the version the build helper baked in when none is given, and tags nothing without one', async () => {
    const holder = globalThis as { __STALEWATCH_VERSION__?: string }
    const bare = fakePage()
    tagRequests({ env: bare.env })()
    await bare.env.fetch('/api/x')
    expect(bare.fetched.at(-1)!.headers.get('x-app-version')).toBeNull()
    // What withStalewatch and the Vite plugin define in the app's bundle.
    holder.__STALEWATCH_VERSION__ = 'baked-sha'
    try {
      const page = fakePage()
      const undo = tagRequests({ env: page.env })
      await page.env.fetch('/api/x')
      const xhr = new page.FakeXhr()
      xhr.open('GET', '/api/y')
      undo()
      expect([page.fetched.at(-1)!.headers.get('x-app-version'), xhr.headers.get('x-app-version')]).toEqual(['baked-sha', ['baked-sha']])
    } finally {
      delete holder.__STALEWATCH_VERSION__
    }
  })

  it('never replaces a version header the app set itself', async () => {
    const page = fakePage()
    const f = taggedFetch(page.env.fetch, { version: 'v7', env: page.env })
    await f('/api/x', { headers: { 'x-app-version': 'from-the-app' } })
    expect(page.fetched[0]!.headers.get('x-app-version')).toBe('from-the-app')
  })

  it('leaves unparseable URLs alone instead of throwing', async () => {
    const page = fakePage()
    const f = taggedFetch(page.env.fetch, { version: 'v7', env: page.env })
    await f('http://[bad')
    expect(page.fetched[0]!.headers.get('x-app-version')).toBeNull()
  })

  it('does nothing at import and leaves a page without XMLHttpRequest working', async () => {
    const page = fakePage()
    const env = { location: page.env.location, fetch: page.env.fetch } as TagEnv
    const undo = tagRequests({ version: 'v7', env })
    await env.fetch!('/api/x')
    expect(page.fetched[0]!.headers.get('x-app-version')).toBe('v7')
    undo()
  })
})

describe('socket URLs', () => {
  const env = fakePage().env
  it('put the version (and a reconnect mark) in the query, resolving relative URLs to ws(s)', () => {
    expect(versionedUrl('/live?room=3', 'v 7/ü', { env })).toBe('wss://app.example/live?room=3&sw_v=v+7%2F%C3%BC')
    expect(versionedUrl('wss://rt.example/socket', 'v7', { reconnect: true, env })).toBe('wss://rt.example/socket?sw_v=v7&sw_reconnect=1')
    expect(versionedUrl('/events', 'v7', { socket: false, env })).toBe('https://app.example/events?sw_v=v7')
    expect(new URL(versionedUrl('/live?sw_reconnect=1', 'v7', { env })).searchParams.get('sw_reconnect')).toBeNull()
  })
  it('socketUrls marks every connection after the first as a reconnect', () => {
    const next = socketUrls('/live', 'v7', env)
    expect([next(), next(), next()]).toEqual(['wss://app.example/live?sw_v=v7', 'wss://app.example/live?sw_v=v7&sw_reconnect=1', 'wss://app.example/live?sw_v=v7&sw_reconnect=1'])
  })
})
