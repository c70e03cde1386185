import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs'
import path from 'node:path'

// Whatever runs the whole app from a checkout (the tests, the bench) needs a
// Next.js build that matches the sources. This builds the SDK and the app when
// there is no build or a source file is newer, under a lock so processes
// running side by side build once.

const root = path.resolve(import.meta.dirname, '..')
const SOURCES = ['app', 'lib', 'sdk/src', 'ingest', 'instrumentation.ts', 'next.config.ts', 'server.ts', 'proxy.ts', 'sdk/scripts', 'sdk/package.json']

export function distDir(): string {
  return process.env.STALEWATCH_NEXT_DIST_DIR || '.next'
}

function newestSourceMtime(): number {
  let newest = 0
  for (const entry of SOURCES) {
    const full = path.join(root, entry)
    if (!existsSync(full)) continue
    const files = statSync(full).isDirectory()
      ? readdirSync(full, { recursive: true, withFileTypes: true })
          .filter((d) => d.isFile())
          .map((d) => path.join(d.parentPath, d.name))
      : [full]
    for (const file of files) newest = Math.max(newest, statSync(file).mtimeMs)
  }
  return newest
}

function buildIsCurrent(): boolean {
  const buildId = path.join(root, distDir(), 'BUILD_ID')
  return existsSync(buildId) && statSync(buildId).mtimeMs >= newestSourceMtime()
}

async function withLock<T>(work: () => Promise<T>): Promise<T> {
  const lock = path.join(root, `${distDir()}.build-lock`)
  const started = Date.now()
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch {
      if (Date.now() - started > 600_000) throw new Error(`waited 10 minutes for ${lock}; remove it if no build is running`)
      await new Promise((r) => setTimeout(r, 500))
    }
  }
  try {
    return await work()
  } finally {
    rmdirSync(lock)
  }
}

export interface AppBuildOptions {
  /**
   * Skip next build's type check (compile, then generate). Types are
   * `npm run typecheck`'s job, and the check adds a custom dist dir to
   * tsconfig.json's include list, editing a tracked file.
   */
  skipTypeCheck?: boolean
  progress?: (message: string) => void
}

export async function ensureAppBuild(options: AppBuildOptions = {}): Promise<void> {
  if (buildIsCurrent()) return
  await withLock(async () => {
    if (buildIsCurrent()) return
    options.progress?.(`building the SDK and the app into ${distDir()} (sources changed; a minute or two)…`)
    // The app serves the SDK's script-tag build from public/sdk.js.
    const { buildSdk } = await import('../sdk/scripts/build')
    await buildSdk()
    const modes = options.skipTypeCheck ? ['--experimental-build-mode=compile', '--experimental-build-mode=generate'] : ['']
    for (const mode of modes) {
      const result = spawnSync(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'build', ...(mode ? [mode] : [])], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
      })
      if (result.status !== 0) throw new Error(`next build ${mode} failed:\n${result.stdout}\n${result.stderr}`)
    }
  })
}
