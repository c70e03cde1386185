import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createElement } from 'react'
import { renderToString } from 'react-dom/server'
import { init, getState } from '../../sdk/src/index'
import { appVersion, versionHeaders, withVersionHeader } from '../../sdk/src/next'
import { mountUpdatePrompt, type PromptDocument, type PromptElement } from '../../sdk/src/prompt'
import { useStalewatch } from '../../sdk/src/react'
import { fakeEnv, ok } from './fakes'

describe('next helpers', () => {
  it('derives the version from the environment, in order', () => {
    expect(appVersion({})).toBe('dev')
    expect(appVersion({ GIT_SHA: 'g' })).toBe('g')
    expect(appVersion({ GIT_SHA: 'g', NEXT_DEPLOYMENT_ID: 'd' })).toBe('d')
    expect(appVersion({ GIT_SHA: 'g', NEXT_DEPLOYMENT_ID: 'd', VERCEL_GIT_COMMIT_SHA: 'v' })).toBe('v')
    expect(appVersion({ VERCEL_GIT_COMMIT_SHA: 'v', NEXT_PUBLIC_APP_VERSION: 'app-1' })).toBe('app-1')
    expect(appVersion({ NEXT_PUBLIC_APP_VERSION: 'x'.repeat(100) })).toHaveLength(64)
  })
  it('sets x-app-version', () => {
    const r = withVersionHeader(new Response('hi'), 'abc')
    expect(r.headers.get('x-app-version')).toBe('abc')
    expect(versionHeaders('abc')).toEqual([{ source: '/:path*', headers: [{ key: 'x-app-version', value: 'abc' }] }])
  })
})

// A tiny DOM: enough for the prompt.
function fakeDocument() {
  const body: PromptElement[] = []
  const make = (tag: string): PromptElement & { tag: string; children: PromptElement[] } => {
    const el = {
      tag,
      children: [] as PromptElement[],
      textContent: '' as string | null,
      style: { cssText: '' },
      onclick: null,
      setAttribute: () => {},
      appendChild: (c: PromptElement) => el.children.push(c),
      remove: () => body.splice(body.indexOf(el), 1),
    }
    return el
  }
  const doc: PromptDocument = { createElement: make, body: { appendChild: (n) => body.push(n) } }
  return { doc, body }
}

describe('update prompt and hook', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('shows once per new version and reports shown / dismissed / accepted', async () => {
    const f = fakeEnv({ respond: () => ok({ latest: 'v2' }) })
    init({ key: 'pk', version: 'v1', env: f.env })
    const { doc, body } = fakeDocument()
    const unmount = mountUpdatePrompt({ document: doc })
    expect(body).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(body).toHaveLength(1)
    const box = body[0] as unknown as { children: PromptElement[] }
    expect(box.children.map((c) => c.textContent)).toEqual(['A new version is available', 'Reload', 'Later'])
    ;(box.children[2]!.onclick as () => void)()
    expect(body).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(61_000)
    expect(body).toHaveLength(0) // the same latest again: not shown again
    const unmount2 = mountUpdatePrompt({ document: doc })
    expect(body).toHaveLength(1)
    ;((body[0] as unknown as { children: PromptElement[] }).children[1]!.onclick as () => void)()
    expect(f.reloads).toHaveLength(1)
    const actions = f.events().flatMap((e) => (e.type == 'update_prompt' ? [e.action] : []))
    expect(actions).toEqual(['shown', 'dismissed', 'shown', 'accepted'])
    expect(f.beacons.at(-1)!.envelope.events.at(-1)).toMatchObject({ type: 'reload', reason: 'update_prompt' })
    unmount()
    unmount2()
  })

  it('useStalewatch renders the current state', () => {
    expect(getState()?.version).toBe('v1')
    let seen: ReturnType<typeof useStalewatch> | undefined
    const Probe = () => {
      seen = useStalewatch()
      return null
    }
    renderToString(createElement(Probe))
    // on the server the hook shows the "before init" snapshot
    expect(seen).toMatchObject({ version: '', latest: null, updateAvailable: false })
    expect(typeof seen!.reload).toBe('function')
  })
})
