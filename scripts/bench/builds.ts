import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { readSetting } from '../../lib/config'
import { ensureAppBuild } from '../app-build'
import { startChild, type BenchChild } from './child'
import type { BenchOptions } from './section'

// The builds an A/B section measures side by side: this checkout, and with
// --baseline-dir a checkout of the build to compare with (today's main, its
// own node_modules and app build). Each build's product server runs that
// checkout's own scripts/bench/product-server.ts from its own directory, so
// the baseline's figures are its code's, on the same machine in the same run.

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

export interface Build {
  label: 'baseline' | 'this build'
  root: string
}

export interface ServerReady {
  url: string
  ingestKey: string
  projectId: string
}

/** The baseline checkout's own app build, made by its own build script if it has none or an old one. */
function ensureBaselineBuild(root: string, progress: (m: string) => void, section: string): void {
  if (!existsSync(path.join(root, 'node_modules'))) throw new Error(`--baseline-dir ${root} has no node_modules (cp -al the main checkout's)`)
  progress(`${section}: making sure ${root} has its app build in ${process.env.STALEWATCH_NEXT_DIST_DIR}…`)
  const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', "import('./scripts/app-build.ts').then((m) => m.ensureAppBuild({ skipTypeCheck: true }))"], {
    cwd: root,
    env: process.env,
    encoding: 'utf8',
  })
  if (result.status !== 0) throw new Error(`the baseline's build failed:\n${result.stdout}\n${result.stderr}`)
}

/**
 * The bench's app build of this checkout (with the bench's routes, in
 * `<dist dir>-bench`) and, with --baseline-dir, the baseline's: the builds to
 * measure, the baseline first.
 */
export async function benchBuilds(options: BenchOptions, section: string): Promise<Build[]> {
  process.env.STALEWATCH_BENCH_ROUTES = '1'
  process.env.STALEWATCH_NEXT_DIST_DIR = `${readSetting('nextDistDir').replace(/-bench$/, '')}-bench`
  await ensureAppBuild({ skipTypeCheck: true, progress: options.progress })
  if (options.baselineDir) ensureBaselineBuild(options.baselineDir, options.progress, section)
  return comparedBuilds(options)
}

/** The checkouts to measure, the baseline first, for a section that runs only their scripts (no app build). */
export function comparedBuilds(options: BenchOptions): Build[] {
  if (options.baselineDir && !existsSync(path.join(options.baselineDir, 'node_modules'))) throw new Error(`--baseline-dir ${options.baselineDir} has no node_modules (cp -al the main checkout's)`)
  return [...(options.baselineDir ? [{ label: 'baseline' as const, root: options.baselineDir }] : []), { label: 'this build', root: repoRoot }]
}

/**
 * A product server (scripts/bench/product-server.ts) of the checkout in
 * `root`, this one by default, on a fresh data directory unless `env` names
 * one (STALEWATCH_DATA_DIR).
 */
export function startProduct(mode: 'product' | 'next', env: Record<string, string>, root = repoRoot): Promise<BenchChild<ServerReady>> {
  const dataDir = env.STALEWATCH_DATA_DIR ?? mkdtempSync(path.join(tmpdir(), `stalewatch-bench-${mode}-`))
  return startChild<ServerReady>(
    'scripts/bench/product-server.ts',
    {
      STALEWATCH_BENCH_MODE: mode,
      CLICKHOUSE_URL: '',
      // One project key sends everything here: its rate limit would cap the run.
      STALEWATCH_RATE_PER_KEY: '1000000',
      // The Next.js route sheds by loop delay like the fast path; the trivial route it is compared with does not.
      ...(mode === 'next' ? { STALEWATCH_SHED_LOOP_DELAY_MS: '0' } : {}),
      ...env,
      STALEWATCH_DATA_DIR: dataDir,
    },
    [],
    180_000,
    root,
  )
}

/** Order of the builds in pass `pass` (0, 1, 2, …): A B, then B A, so neither always goes first into whatever the machine's other load is doing. */
export const interleaved = <T>(items: T[], pass: number): T[] => (pass % 2 === 0 ? items : [...items].reverse())

/** this ÷ baseline as `0.83×`, or — when either is missing or the baseline is not above 0. */
export const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined || !Number.isFinite(a) || !(b > 0) ? '—' : `${(a / b).toFixed(2)}×`)

export const percentile = (values: number[], p: number): number => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!
}

/** At one beat per tab per minute, a million tabs are 16,667 requests/s. */
export const MILLION_TABS_REQUESTS_PER_SEC = 1_000_000 / 60

/** Cores a node needs for a million tabs at `cpuUsPerRequest` µs of CPU per request, linear in requests/s. */
export const coresForMillionTabs = (cpuUsPerRequest: number): number => (cpuUsPerRequest * MILLION_TABS_REQUESTS_PER_SEC) / 1e6
