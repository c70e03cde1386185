import { describe, expect, it, vi } from 'vitest'
import type { NextConfig } from 'next'
import { createElement } from 'react'
import { renderToString } from 'react-dom/server'
import { bake, defines, logBaked } from '../../../sdk/src/bake'
import { withStalewatch } from '../../../sdk/src/next'
import { Stalewatch, useStalewatch } from '../../../sdk/src/react'
import { resolveBuildVersion, VERSION_VARIABLES } from '../../../sdk/src/version'
import { stalewatch } from '../../../sdk/src/vite'
import { PHASE_PRODUCTION_BUILD } from 'next/constants'
import { normalizeConfig } from 'next/dist/server/config-shared'
import { resolveConfig, type ConfigEnv } from 'vite'

// The build side of the package: one rule for the version (build helpers and
// the CLI share it), what the helpers bake in, and the React binding on the
// server. The prompt and the adapters in a browser: test/sdk/src/prompt.browser.test.ts
// and test/scenarios/apps/.

const noGit = () => undefined

describe('the build version', () => {
  it('with only GIT_SHA set (the variable the release step uses) is that SHA, never dev', () => {
    expect(resolveBuildVersion({ GIT_SHA: '4f1c2e9' }, noGit)).toEqual({ version: '4f1c2e9', source: 'GIT_SHA (the git SHA)' })
  })

  it('takes the first variable set, in the documented order, then git, then dev', () => {
    const all = Object.fromEntries(VERSION_VARIABLES.map(([name], i) => [name, `v${i}`]))
    expect(resolveBuildVersion(all, noGit).version).toBe('v0')
    expect(resolveBuildVersion({ GITHUB_SHA: 'gh', CF_PAGES_COMMIT_SHA: 'cf' }, noGit)).toEqual({ version: 'cf', source: 'CF_PAGES_COMMIT_SHA (Cloudflare Pages)' })
    expect(resolveBuildVersion({ COMMIT_REF: 'nf' }, noGit).source).toBe('COMMIT_REF (Netlify)')
    expect(resolveBuildVersion({ VERCEL_GIT_COMMIT_SHA: 'vc', GITHUB_SHA: 'gh' }, noGit).version).toBe('vc')
    expect(resolveBuildVersion({ GIT_SHA: '  ' }, () => 'deadbeef')).toEqual({ version: 'deadbeef', source: 'git rev-parse HEAD' })
    expect(resolveBuildVersion({}, noGit)).toEqual({ version: 'dev', source: 'none' })
    expect(resolveBuildVersion({ STALEWATCH_VERSION: 'x'.repeat(100) }, noGit).version).toHaveLength(64)
  })

  it('in a git checkout without variables is the checkout\'s SHA', () => {
    expect(resolveBuildVersion({}).version).toMatch(/^[0-9a-f]{40}$/)
  })
})

describe('what the build helpers bake in', () => {
  it('the version, the key and the endpoint from STALEWATCH_URL, as compile-time constants', () => {
    const baked = bake({}, { GIT_SHA: 'abc123', STALEWATCH_KEY: 'swk_1', STALEWATCH_URL: 'https://sw.example/' })
    expect(baked).toMatchObject({ version: 'abc123', key: 'swk_1', endpoint: 'https://sw.example/api/ingest' })
    expect(defines(baked)).toEqual({
      __STALEWATCH_VERSION__: '"abc123"',
      __STALEWATCH_KEY__: '"swk_1"',
      __STALEWATCH_ENDPOINT__: '"https://sw.example/api/ingest"',
    })
    expect(bake({ endpoint: 'https://in.example/i', version: 'v9' }, { STALEWATCH_URL: 'https://sw.example' })).toMatchObject({ version: 'v9', endpoint: 'https://in.example/i' })
  })

  it('logs one line saying which version was baked in and where it came from', () => {
    const lines: string[] = []
    logBaked(bake({}, { GIT_SHA: 'logged-1', STALEWATCH_KEY: 'k', STALEWATCH_URL: 'https://sw.example' }), (l) => lines.push(l))
    logBaked(bake({}, { GIT_SHA: 'logged-1', STALEWATCH_KEY: 'k', STALEWATCH_URL: 'https://sw.example' }), (l) => lines.push(l))
    expect(lines).toEqual(['stalewatch: baked in version logged-1 (from GIT_SHA (the git SHA)), reporting to https://sw.example/api/ingest'])
  })

  it('withStalewatch keeps the app\'s config and adds the constants and the x-app-version header', async () => {
    vi.stubEnv('GIT_SHA', 'next-sha')
    vi.spyOn(console, 'log').mockImplementation(() => {})
    try {
      const config = withStalewatch({
        reactStrictMode: true,
        env: { OWN: '1' },
        compiler: { define: { OWN_CONST: '"x"' } },
        headers: async () => [{ source: '/a', headers: [{ key: 'x-own', value: '1' }] }],
      })
      expect(config.reactStrictMode).toBe(true)
      expect(config.env).toEqual({ OWN: '1', STALEWATCH_VERSION: 'next-sha' })
      // Next.js quotes define's values itself.
      expect(config.compiler?.define).toMatchObject({ OWN_CONST: '"x"', __STALEWATCH_VERSION__: 'next-sha', __STALEWATCH_KEY__: '' })
      expect(await config.headers!()).toEqual([
        { source: '/a', headers: [{ key: 'x-own', value: '1' }] },
        { source: '/:path*', headers: [{ key: 'x-app-version', value: 'next-sha' }] },
      ])
    } finally {
      vi.unstubAllEnvs()
      vi.restoreAllMocks()
    }
  })

  it('the Vite plugin defines the same constants', () => {
    vi.stubEnv('GIT_SHA', 'vite-sha')
    vi.spyOn(console, 'log').mockImplementation(() => {})
    try {
      const plugin = stalewatch({ key: 'swk_v' })
      const config = (plugin.config as (c: object, env: ConfigEnv) => { define: Record<string, string> })({}, { command: 'build', mode: 'production' })
      expect(config.define).toMatchObject({ __STALEWATCH_VERSION__: '"vite-sha"', __STALEWATCH_KEY__: '"swk_v"', 'import.meta.env.STALEWATCH_VERSION': '"vite-sha"' })
    } finally {
      vi.unstubAllEnvs()
      vi.restoreAllMocks()
    }
  })
})

describe('where the build helpers speak, and with what they compose', () => {
  // What the helpers print, with only the variables a server has at run time (no key: it is the build's).
  const printed = () => vi.mocked(console.log).mock.calls.map(([line]) => String(line)).filter((line) => line.startsWith('stalewatch:'))
  const serving = (version: string) => {
    vi.stubEnv('GIT_SHA', version)
    vi.stubEnv('STALEWATCH_KEY', '')
    vi.spyOn(console, 'log').mockImplementation(() => {})
  }
  const done = () => {
    vi.unstubAllEnvs()
    vi.restoreAllMocks()
  }

  it('next start loads the config without a word from stalewatch; next build says what it baked when it reads the headers', async () => {
    serving('start-sha')
    try {
      // `next start` evaluates next.config.ts (so calls withStalewatch) and takes the headers from the build's manifest.
      const config = withStalewatch({ reactStrictMode: true })
      expect(printed()).toEqual([])
      // `next build` (and `next dev`) call headers() to make the routes: the line lands in the build log.
      await config.headers!()
      expect(printed()).toEqual(['stalewatch: baked in version start-sha (from GIT_SHA (the git SHA)), reporting to /api/ingest on the app\'s origin; no ingest key: set STALEWATCH_KEY'])
    } finally {
      done()
    }
  })

  it('vite preview loads the plugin without a word from stalewatch; vite build says what it baked', async () => {
    serving('preview-sha')
    try {
      const inline = { configFile: false as const, logLevel: 'silent' as const, plugins: [stalewatch()] }
      await resolveConfig(inline, 'serve', 'production', 'production', true)
      expect(printed()).toEqual([])
      const built = await resolveConfig(inline, 'build', 'production', 'production', false)
      expect(built.define).toMatchObject({ __STALEWATCH_VERSION__: '"preview-sha"' })
      expect(printed()).toEqual(['stalewatch: baked in version preview-sha (from GIT_SHA (the git SHA)), reporting to /api/ingest on the app\'s origin; no ingest key: set STALEWATCH_KEY'])
    } finally {
      done()
    }
  })

  // Written as @next/mdx writes withMDX: the app's config with its own options over it.
  const withMDX = <C extends NextConfig>(config: C): C => Object.assign({}, config, { pageExtensions: ['js', 'jsx', 'md', 'mdx', 'ts', 'tsx'] })

  it('withStalewatch(withMDX(nextConfig)) keeps both wrappers\' settings', async () => {
    serving('mdx-sha')
    try {
      const config = withStalewatch(withMDX({ reactStrictMode: true, headers: async () => [{ source: '/a', headers: [{ key: 'x-own', value: '1' }] }] }))
      expect(config).toMatchObject({ reactStrictMode: true, pageExtensions: ['js', 'jsx', 'md', 'mdx', 'ts', 'tsx'], compiler: { define: { __STALEWATCH_VERSION__: 'mdx-sha' } } })
      expect((await config.headers!()).map((h) => h.source)).toEqual(['/a', '/:path*'])
    } finally {
      done()
    }
  })

  it('around a function-form config (next.config\'s (phase) => config), Next.js gets a function and its answer keeps the app\'s settings', async () => {
    serving('fn-sha')
    try {
      const wrapped = withStalewatch(async (phase: string) => withMDX({ reactStrictMode: phase === PHASE_PRODUCTION_BUILD }))
      expect(typeof wrapped).toBe('function')
      // Next.js's own loader step: it calls a function-form config with the phase.
      const config = (await normalizeConfig(PHASE_PRODUCTION_BUILD, wrapped)) as NextConfig
      expect(config).toMatchObject({ reactStrictMode: true, pageExtensions: ['js', 'jsx', 'md', 'mdx', 'ts', 'tsx'], env: { STALEWATCH_VERSION: 'fn-sha' } })
      expect(await config.headers!()).toEqual([{ source: '/:path*', headers: [{ key: 'x-app-version', value: 'fn-sha' }] }])
    } finally {
      done()
    }
  })
})

describe('React on the server', () => {
  it('<Stalewatch /> and useStalewatch render without a DOM and start nothing', () => {
    let seen: ReturnType<typeof useStalewatch> | undefined
    const Probe = () => {
      seen = useStalewatch()
      return createElement(Stalewatch, { ingestKey: 'swk', version: 'v1' })
    }
    expect(renderToString(createElement(Probe))).toBe('')
    // On the server the hook shows the "before start" snapshot.
    expect(seen).toMatchObject({ version: '', latest: null, updateAvailable: false })
    expect(typeof seen!.reload).toBe('function')
  })
})
