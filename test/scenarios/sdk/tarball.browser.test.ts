import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appsDir, packedSdk } from '../../support/real-apps'

// The stalewatch tarball as `npm pack` makes it: it installs into an empty
// folder with npm (offline: it has no dependencies), every entry point of its
// exports map is there with its types, importing any of them in Node without
// a DOM does nothing and throws nothing, and its bin runs.

const root = path.resolve(import.meta.dirname, '../../..')
const sdkPackage = JSON.parse(readFileSync(path.join(root, 'sdk/package.json'), 'utf8')) as {
  exports: Record<string, string | { types: string; default: string }>
  peerDependencies: Record<string, string>
  peerDependenciesMeta: Record<string, { optional: boolean }>
}
const ENTRIES = Object.keys(sdkPackage.exports).filter((k) => k !== './package.json' && !k.endsWith('.js'))
// Entry points that import their framework (an optional peer): imported below where it is installed, and by each app test.
const PEER_ENTRIES = ['./react', './vue', './react-router', './angular', './nuxt-client']

let work: string
let tarball: string
let empty: string

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 })
  return { status: r.status, out: `${r.stdout}${r.stderr}` }
}

/** Imports each specifier in a fresh Node, and reports what it found and what changed on globalThis. */
function importAll(cwd: string, specifiers: string[], peers: string[] = []) {
  // The frameworks' own globals (Vue sets a few) are theirs: taken before the snapshot.
  const script = `for (const p of ${JSON.stringify(peers)}) await import(p)
const before = new Set(Object.getOwnPropertyNames(globalThis))
const out = {}
for (const s of ${JSON.stringify(specifiers)}) {
  try { out[s] = Object.keys(await import(s)).sort() } catch (e) { out[s] = 'ERROR ' + e.message }
}
out.addedGlobals = Object.getOwnPropertyNames(globalThis).filter((k) => !before.has(k))
console.log(JSON.stringify(out))`
  writeFileSync(path.join(cwd, 'check.mjs'), script)
  const r = run(process.execPath, ['check.mjs'], cwd)
  expect(r.status, r.out).toBe(0)
  return JSON.parse(r.out.trim().split('\n').at(-1)!) as Record<string, string[] | string>
}

beforeAll(async () => {
  work = path.join(appsDir, 'package')
  mkdirSync(work, { recursive: true })
  tarball = await packedSdk(work)
  empty = mkdtempSync(path.join(tmpdir(), 'stalewatch-empty-'))
  writeFileSync(path.join(empty, 'package.json'), '{"name":"empty","version":"1.0.0","type":"module"}')
  const installed = run('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], empty)
  expect(installed.status, installed.out).toBe(0)
}, 300_000)

afterAll(() => {
  if (empty) rmSync(empty, { recursive: true, force: true })
})

describe('the stalewatch tarball', () => {
  it('ships built ESM and types for every entry point, and the framework peers as optional', () => {
    expect(ENTRIES).toEqual(expect.arrayContaining(['.', './react', './vue', './svelte', './next', './vite', './prompt']))
    const listed = run('tar', ['-tzf', tarball], work).out.split('\n')
    for (const entry of ENTRIES) {
      const target = sdkPackage.exports[entry] as { types: string; default: string }
      expect(listed, entry).toContain(`package/${target.default.slice(2)}`)
      expect(listed, entry).toContain(`package/${target.types.slice(2)}`)
    }
    expect(listed).toContain('package/dist/stalewatch.js')
    expect(listed).toContain('package/dist/stalewatch-reloads.js')
    expect(listed.filter((f) => f.startsWith('package/') && !f.startsWith('package/dist/'))).toEqual(['package/package.json'])
    for (const peer of ['react', 'vue', 'svelte', 'next', 'vite']) expect(sdkPackage.peerDependenciesMeta[peer], peer).toEqual({ optional: true })
  })

  it('installs into an empty folder, and every entry point imports under Node without a DOM, doing nothing', () => {
    const found = importAll(
      empty,
      ENTRIES.filter((e) => !PEER_ENTRIES.includes(e)).map((e) => (e === '.' ? 'stalewatch' : `stalewatch/${e.slice(2)}`)),
    )
    expect(found).toMatchObject({
      stalewatch: expect.arrayContaining(['init', 'getState', 'subscribe', 'reload']),
      'stalewatch/svelte': ['stalewatch'],
      'stalewatch/next': expect.arrayContaining(['withStalewatch', 'buildVersion']),
      'stalewatch/vite': expect.arrayContaining(['stalewatch', 'buildVersion']),
      'stalewatch/prompt': ['mountUpdatePrompt'],
      'stalewatch/astro': ['buildVersion', 'stalewatch'],
      'stalewatch/astro-client': ['startAstro'],
      'stalewatch/nuxt': ['default'],
      addedGlobals: [],
    })
    // Without React or Vue installed, their adapters say exactly that (the peers are optional).
    const peers = importAll(empty, ['stalewatch/react', 'stalewatch/vue', 'stalewatch/react-router', 'stalewatch/angular', 'stalewatch/nuxt-client'])
    expect(peers['stalewatch/react']).toMatch(/^ERROR Cannot find package 'react'/)
    expect(peers['stalewatch/vue']).toMatch(/^ERROR Cannot find package 'vue'/)
    expect(peers['stalewatch/react-router']).toMatch(/^ERROR Cannot find package 'react'/)
    expect(peers['stalewatch/angular']).toMatch(/^ERROR Cannot find package '@angular\/core'/)
    // Nuxt's '#app' exists only inside a Nuxt build.
    expect(peers['stalewatch/nuxt-client']).toMatch(/^ERROR .*#app/)
  })

  it('the React, Vue and React Router adapters import under Node without a DOM where their framework is installed', () => {
    // Inside the repository, where react and vue resolve from its node_modules.
    const app = path.join(work, 'with-peers')
    rmSync(app, { recursive: true, force: true })
    mkdirSync(path.join(app, 'node_modules/stalewatch'), { recursive: true })
    writeFileSync(path.join(app, 'package.json'), '{"name":"with-peers","version":"1.0.0","type":"module"}')
    expect(run('tar', ['-xzf', tarball, '-C', path.join(app, 'node_modules/stalewatch'), '--strip-components=1'], app).status).toBe(0)
    const found = importAll(app, ['stalewatch/react', 'stalewatch/vue', 'stalewatch/react-router'], ['react', 'vue'])
    expect(found).toEqual({
      'stalewatch/react': ['Stalewatch', 'useStalewatch'],
      'stalewatch/vue': ['stalewatch', 'useStalewatch'],
      'stalewatch/react-router': ['Stalewatch', 'useStalewatch'],
      addedGlobals: [],
    })
  })

  it('npx stalewatch runs its bin: --help, and the version from GIT_SHA', () => {
    const help = run('npx', ['--no-install', 'stalewatch', '--help'], empty)
    expect(help.status, help.out).toBe(0)
    expect(help.out).toContain('Usage: npx stalewatch <command> [options]')
    const version = run('npx', ['--no-install', 'stalewatch', 'version'], empty, { GIT_SHA: '4f1c2e9', STALEWATCH_VERSION: '' })
    expect(version.out.trim()).toBe('4f1c2e9 (from GIT_SHA (the git SHA))')
    const missing = run('npx', ['--no-install', 'stalewatch', 'release'], empty, { GIT_SHA: '4f1c2e9', STALEWATCH_URL: '', STALEWATCH_PROJECT: '', STALEWATCH_DEPLOY_TOKEN: '' })
    expect(missing.status).toBe(2)
    expect(missing.out).toContain('stalewatch: missing --url or STALEWATCH_URL, --project or STALEWATCH_PROJECT, STALEWATCH_DEPLOY_TOKEN')
  })
})
