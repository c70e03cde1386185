import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { packSdk } from '../../support/real-apps'

// An app on a pre-release of a framework (a Next.js canary, a React or Vue
// release candidate) installs the stalewatch tarball with plain `npm install`,
// no --force or --legacy-peer-deps. npm checks a peer range with semver, where
// a pre-release only matches a range naming a pre-release of the same
// major.minor.patch: `>=14` and even `>=14.0.0-0` refuse 16.5.0-canary.38.
// The frameworks here are empty packages with those versions (npm's peer check
// reads nothing else), so the check runs offline in seconds; the real canary
// app is test/scenarios/apps/next-canary.browser.test.ts.

const PRE_RELEASES: Record<string, string> = {
  next: '16.5.0-canary.38',
  react: '19.3.0-canary-4a1b2c3d-20261201',
  vue: '3.6.0-beta.3',
  vite: '8.4.0-beta.1',
  svelte: '5.50.0-next.2',
  '@angular/core': '22.0.0-rc.1',
  '@angular/common': '22.0.0-rc.1',
  '@angular/router': '22.0.0-rc.1',
}

const root = path.resolve(import.meta.dirname, '../../..')
let work: string

function run(command: string, args: string[], cwd: string) {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 120_000 })
  return { status: r.status, out: `${r.stdout}${r.stderr}` }
}

/** `npm pack` of a folder (its package.json written first when given); returns the tarball's path. */
function pack(dir: string, manifest?: object): string {
  mkdirSync(dir, { recursive: true })
  if (manifest) writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest))
  const packed = run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], dir)
  expect(packed.status, packed.out).toBe(0)
  return path.join(work, packed.out.trim().split('\n').at(-1)!)
}

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'stalewatch-peers-'))
})

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true })
})

describe('the framework peers', () => {
  it('npm install <tarball> succeeds in an app on pre-releases of every framework peer', () => {
    // Every peer of sdk/package.json is here.
    expect(Object.keys((JSON.parse(readFileSync(path.join(root, 'sdk/package.json'), 'utf8')) as { peerDependencies: object }).peerDependencies).sort()).toEqual(Object.keys(PRE_RELEASES).sort())
    // sdk/package.json with an empty dist/: the peer ranges are all npm reads here.
    const sdk = packSdk(work)
    mkdirSync(path.join(sdk, 'dist'), { recursive: true })
    const tarball = pack(sdk)
    const app = path.join(work, 'app')
    const dependencies = Object.fromEntries(Object.entries(PRE_RELEASES).map(([name, version]) => [name, `file:${pack(path.join(work, 'deps', name), { name, version })}`]))
    mkdirSync(app, { recursive: true })
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, dependencies }))
    const installed = run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], app)
    expect(installed.out).not.toContain('ERESOLVE')
    expect(installed.status, installed.out).toBe(0)
    const listed = run('npm', ['ls', '--json'], app)
    expect(listed.status, listed.out).toBe(0)
    expect(Object.keys((JSON.parse(listed.out) as { dependencies: object }).dependencies).sort()).toEqual([...Object.keys(PRE_RELEASES), 'stalewatch'].sort())
  }, 120_000)
})
