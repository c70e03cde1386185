import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { buildSdk } from '../../sdk/scripts/build'
import { argv, README_COMMANDS, TARBALL, type PackageManager } from './package-managers'
import { MANUAL_APPS, writeManualFiles } from './manual-apps'
import { instrumentApp, instrumentBackendLoad, type ExampleApp } from './snippets'

// Apps made by the frameworks' own scaffolders (create-next-app, create-vite,
// sv create: they ship their templates, so this works offline), instrumented
// by the README's steps (./snippets.ts), built as two releases and served by
// the framework's own server behind a switch that plays the deploy.
//
// They live in .scratch/apps/<app>/ inside the repository, so Node's
// resolution finds the frameworks in the repository's node_modules (they are
// pinned devDependencies). Two exceptions, both what an installed app has:
// the stalewatch package is unpacked from its tarball into the app's own
// node_modules (what `npm install <tarball>` does for a package without
// dependencies, without asking a registry for the rest), and the Next.js app
// is a git repository with node_modules of its own (hard links to the
// repository's), because Turbopack takes the enclosing git repository as its
// root and would otherwise build this repository's proxy.ts as the app's.
//
// An app may instead install everything from the npm registry with a real
// package manager (RealInstall): its dependencies, then the README's tarball
// command for that manager, and build, serve and run the CLI with it.

const root = path.resolve(import.meta.dirname, '../..')
const bin = (name: string) => path.join(root, 'node_modules/.bin', name)
export const appsDir = path.join(root, '.scratch/apps')

/** The framework's scaffolder, as its docs give it, with the choices a prompt would ask for (the others: manual-apps.ts). */
const SCAFFOLD: Partial<Record<ExampleApp, (dir: string) => [string, string[]]>> = {
  next: (dir) => [bin('create-next-app'), [dir, '--yes', '--skip-install', '--disable-git', '--use-npm']],
  'vite-react': (dir) => [bin('create-vite'), [dir, '--template', 'react', '--no-interactive']],
  'vite-vue': (dir) => [bin('create-vite'), [dir, '--template', 'vue', '--no-interactive']],
  sveltekit: (dir) => [bin('sv'), ['create', dir, '--template', 'minimal', '--types', 'ts', '--no-add-ons', '--no-install']],
  // Not a dependency of the repository: the CLI from the registry, its schematics inside it. With server-side rendering, for its server.
  angular: (dir) => ['npx', ['--yes', `@angular/cli@${ANGULAR_CLI_VERSION}`, 'new', dir, '--defaults', '--ssr', '--skip-git', '--skip-install']],
}

/** Angular's CLI, pinned to the last major that runs on this machine's Node (20). */
export const ANGULAR_CLI_VERSION = '21.2.29'

/** An app that installs from the registry with a real package manager, as the README says. */
export interface RealInstall {
  manager: Extract<PackageManager, 'npm' | 'pnpm'>
  /** The Next.js version the scaffolded app moves to first, pinned as create-next-app pins it (a canary). */
  next?: string
}

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, CI: '1', NEXT_TELEMETRY_DISABLED: '1', ...env }, timeout: 480_000 })
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`
  if (result.status !== 0) throw new Error(`${path.basename(command)} ${args.join(' ')} failed (${result.status ?? result.signal}) in ${cwd}:\n${output.slice(-4000)}`)
  return output
}

/** The package as `npm pack` makes it, from a build of sdk/src for this process. */
export function packSdk(workDir: string): string {
  const pkg = path.join(workDir, 'package')
  rmSync(pkg, { recursive: true, force: true })
  mkdirSync(pkg, { recursive: true })
  cpSync(path.join(root, 'sdk/package.json'), path.join(pkg, 'package.json'))
  return pkg
}

export async function packedSdk(workDir: string): Promise<string> {
  const pkg = packSdk(workDir)
  // A build of its own (not sdk/dist), so test files running side by side never share a half-written one.
  await buildSdk({ outDir: path.join(pkg, 'dist'), publicFile: false })
  const out = run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', workDir], pkg).trim().split('\n').at(-1)!
  return path.join(workDir, out)
}

/** Scaffolds `app` into dir and applies the README's steps (for Next.js, docs/backend-load.md's too); returns the files edited. */
export function scaffold(app: ExampleApp, dir: string): string[] {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(path.dirname(dir), { recursive: true })
  const scaffolder = SCAFFOLD[app]
  if (scaffolder) {
    const [command, args] = scaffolder(path.basename(dir))
    run(command, args, path.dirname(dir))
  } else {
    // By the framework's manual installation (its packages from the registry).
    const manual = MANUAL_APPS[app as keyof typeof MANUAL_APPS]
    mkdirSync(dir)
    runLine('npm init --yes', dir)
    writeManualFiles(manual, dir)
    for (const line of manual.commands) runLine(line, dir)
  }
  const edited = instrumentApp(app, dir)
  return app === 'next' ? [...edited, ...instrumentBackendLoad(dir)] : edited
}

/** `npm install <tarball>`, as it lands: the package in the app's node_modules (plus, for Next.js, the rest). */
export function installSdk(app: ExampleApp, dir: string, tarball: string): void {
  const modules = path.join(dir, 'node_modules')
  if (app === 'next') {
    run('cp', ['-al', path.join(root, 'node_modules'), modules], dir)
    run('git', ['init', '-q'], dir)
  }
  const target = path.join(modules, 'stalewatch')
  mkdirSync(target, { recursive: true })
  run('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'], dir)
  // npm links each bin into node_modules/.bin and makes it executable.
  mkdirSync(path.join(modules, '.bin'), { recursive: true })
  const link = path.join(modules, '.bin/stalewatch')
  rmSync(link, { force: true })
  symlinkSync('../stalewatch/dist/bin.mjs', link)
  chmodSync(path.join(target, 'dist/bin.mjs'), 0o755)
}

/** A command line as the README gives it, run in the app. */
function runLine(line: string, dir: string, env: Record<string, string> = {}): string {
  const [command, args] = argv(line)
  // For pnpm: not CI, where it would insist on a lockfile the scaffolders do not write; its store beside the apps, so reruns download less.
  const pnpm: Record<string, string> = line.startsWith('pnpm ') ? { CI: '', npm_config_store_dir: path.join(appsDir, '.pnpm-store') } : {}
  return run(command, args, dir, { ...pnpm, ...env })
}

/** The app's dependencies from the registry (for a canary: that Next.js, pinned), then the README's command for the tarball; returns what they printed. */
export function installFromRegistry(app: ExampleApp, dir: string, tarball: string, install: RealInstall): string {
  if (install.next && (app !== 'next' || install.manager !== 'npm')) throw new Error('a Next.js version is moved to in a Next.js app with npm')
  // A manual installation's commands installed its dependencies already (and Nuxt's postinstall would need the package first).
  const first = install.next ? `npm install --save-exact next@${install.next}` : app in MANUAL_APPS ? '' : `${install.manager} install`
  const output = (first ? runLine(first, dir) : '') + runLine(README_COMMANDS[install.manager].tarball.replace(TARBALL, tarball), dir)
  if (app === 'next') run('git', ['init', '-q'], dir)
  return output
}

/** A copy of the instrumented app for one release (its own build output), with the package installed (a real install: copied along, hard-linked). */
export function releaseCopy(app: ExampleApp, template: string, dir: string, tarball: string, install?: RealInstall): string {
  rmSync(dir, { recursive: true, force: true })
  if (install) {
    run('cp', ['-al', template, dir], path.dirname(dir))
    return dir
  }
  cpSync(template, dir, { recursive: true })
  installSdk(app, dir, tarball)
  return dir
}

// next/font/google fetches the template's fonts at build time; offline, the
// fetch is replaced by Next.js's own mock hook with faces of local fonts (a
// service outside the product, so a stand-in is fine).
function fontMock(dir: string): string {
  const file = path.join(dir, 'google-fonts-offline.cjs')
  const face = (family: string) => `@font-face {\n  font-family: '${family}';\n  font-style: normal;\n  font-weight: 100 900;\n  src: local('${family}');\n}\n`
  writeFileSync(
    file,
    `module.exports = ${JSON.stringify({
      'https://fonts.googleapis.com/css2?family=Geist:wght@100..900&display=swap': face('Geist'),
      'https://fonts.googleapis.com/css2?family=Geist+Mono:wght@100..900&display=swap': face('Geist Mono'),
    })}\n`,
  )
  return file
}

/** `npm run build` (or the manager's) with the variables the README names; returns the build log. */
export function buildRelease(app: ExampleApp, dir: string, env: { GIT_SHA: string; STALEWATCH_URL: string; STALEWATCH_KEY: string }, manager: PackageManager = 'npm'): string {
  const extra: Record<string, string> = app === 'next' ? { NEXT_FONT_GOOGLE_MOCKED_RESPONSES: fontMock(dir) } : app === 'angular' ? { NG_CLI_ANALYTICS: 'false' } : {}
  // Nothing from this machine's own CI may decide the version: only GIT_SHA, as in the README. Nor is the build
  // under the test runner's NODE_ENV=test: Nuxt's logger then keeps only warnings, and the build log lost its lines.
  const clean = Object.fromEntries(['STALEWATCH_VERSION', 'STALEWATCH_ENDPOINT', ...(app === 'nuxt' ? ['NODE_ENV', 'TEST', 'VITEST'] : [])].map((k) => [k, '']))
  return runLine(README_COMMANDS[manager].build, dir, { ...clean, ...extra, ...env })
}

export interface Served {
  url: string
  /** What the server printed so far (colours taken out). */
  output: () => string
  stop: () => Promise<void>
}

async function freePort(): Promise<number> {
  const server = http.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** How each framework's own production server is started: its package.json script, and the port and host as options or as variables. */
interface Serve {
  script: string
  options?: (port: number) => string[]
  vars?: (port: number) => Record<string, string>
}
const SERVE: Partial<Record<ExampleApp, Serve>> = {
  next: { script: 'start', options: (port) => ['-p', String(port), '-H', '127.0.0.1'] },
  astro: { script: 'preview', options: (port) => ['--port', String(port), '--host', '127.0.0.1'] },
  'react-router': { script: 'start', vars: (port) => ({ PORT: String(port), HOST: '127.0.0.1' }) },
  nuxt: { script: 'preview', vars: (port) => ({ PORT: String(port), HOST: '127.0.0.1' }) },
  // The script ng new names after the app: serve:ssr:<name>.
  // Angular's server answers only hosts it was told of (its default: localhost).
  angular: { script: 'serve:ssr:template', vars: (port) => ({ PORT: String(port), NG_ALLOWED_HOSTS: '127.0.0.1' }) },
}
const VITE_PREVIEW: Serve = { script: 'preview', options: (port: number) => ['--port', String(port), '--strictPort', '--host', '127.0.0.1'] }

/** The framework's own production server for a built release: `next start`, `vite preview`, `astro preview`, …. */
export async function serveRelease(app: ExampleApp, dir: string, env: Record<string, string> = {}, manager: 'npm' | 'pnpm' = 'npm'): Promise<Served> {
  const port = await freePort()
  const serve = SERVE[app] ?? VITE_PREVIEW
  const options = serve.options?.(port) ?? []
  // npm passes a script its arguments after `--`; pnpm passes `--` on to the script, so it takes them as they are.
  const [command, args] = argv(`${manager} run ${serve.script}${manager === 'npm' && options.length ? ' --' : ''} ${options.join(' ')}`.trim())
  const child: ChildProcess = spawn(command, args, {
    cwd: dir,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...serve.vars?.(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()))
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()))
  const url = `http://127.0.0.1:${port}`
  const started = Date.now()
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${app} server exited (${child.exitCode}):\n${output}`)
    try {
      if ((await fetch(url)).status < 500) break
    } catch {
      // Not listening yet.
    }
    if (Date.now() - started > 90_000) throw new Error(`${app} server did not answer in 90 s:\n${output}`)
    await new Promise((r) => setTimeout(r, 250))
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    url,
    output: () => output.replace(/\x1b\[[0-9;]*m/g, ''),
    stop: async () => {
      try {
        // npm and the server it started: the whole process group.
        process.kill(-child.pid!, 'SIGTERM')
      } catch {
        return
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))])
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {
        // Gone.
      }
    },
  }
}

export interface Deployment {
  url: string
  /** Serve this release from now on, as a deploy does. */
  deploy: (target: Served) => void
  close: () => Promise<void>
}

/** The app's public origin: forwards every request to the release deployed now. */
export async function deployment(first: Served): Promise<Deployment> {
  let target = new URL(first.url)
  const server = http.createServer((req, res) => {
    const upstream = http.request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502)
      res.end()
    })
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    deploy: (next) => void (target = new URL(next.url)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** `npx stalewatch <args>` in the app (or the manager's command the README gives), as CI runs it; returns what it printed. */
export function stalewatchCli(dir: string, args: string[], env: Record<string, string>, manager?: PackageManager): string {
  if (manager) return runLine(`${README_COMMANDS[manager].cli} ${args.join(' ')}`, dir, { STALEWATCH_VERSION: '', ...env })
  return run('npx', ['--no-install', 'stalewatch', ...args], dir, { STALEWATCH_VERSION: '', ...env })
}

/** Files a build left, for messages. */
export const listing = (dir: string) => (existsSync(dir) ? readdirSync(dir).join(' ') : '(none)')
