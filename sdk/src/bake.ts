// What a build helper (next.ts, vite.ts) bakes into the app's bundle: the
// version, and the ingest key and endpoint when given, as compile-time
// constants that baked.ts reads in the browser. Build side only.
import { resolveBuildVersion, type BuildVersion } from './version'

export interface BakeOptions {
  /** The project's ingest key (public, write-only). Default: the STALEWATCH_KEY variable. */
  key?: string
  /** Stalewatch's URL, e.g. https://stalewatch.example. Default: the STALEWATCH_URL variable. */
  url?: string
  /** The full ingest URL, when it is not <url>/api/ingest. Default: the STALEWATCH_ENDPOINT variable. */
  endpoint?: string
  /** The version. Default: resolveBuildVersion() (STALEWATCH_VERSION, GIT_SHA, the platform's variables, git). */
  version?: string
}

export interface Baked extends BuildVersion {
  key?: string
  endpoint?: string
}

type Vars = Record<string, string | undefined>

/** The values to bake, from the options first, then the environment. */
export function bake(options: BakeOptions = {}, vars: Vars = typeof process == 'object' ? process.env : {}): Baked {
  const found = options.version ? { version: options.version.trim().slice(0, 64), source: 'the helper\'s version option' } : resolveBuildVersion(vars)
  // An empty variable counts as unset, as CI systems leave them.
  const url = (options.url || vars.STALEWATCH_URL)?.replace(/\/+$/, '')
  const endpoint = options.endpoint || vars.STALEWATCH_ENDPOINT || (url ? `${url}/api/ingest` : undefined)
  const key = options.key || vars.STALEWATCH_KEY
  return { ...found, ...(key ? { key } : {}), ...(endpoint ? { endpoint } : {}) }
}

/** The compile-time constants (code, as bundlers' `define` takes it). */
export function defines(baked: Baked): Record<string, string> {
  return {
    __STALEWATCH_VERSION__: JSON.stringify(baked.version),
    __STALEWATCH_KEY__: JSON.stringify(baked.key ?? ''),
    __STALEWATCH_ENDPOINT__: JSON.stringify(baked.endpoint ?? ''),
  }
}

const said = new Set<string>()

/** The build log line saying what was baked in; once per process (config files load more than once). */
export function logBaked(baked: Baked, print: (line: string) => void = console.log): void {
  const line =
    `stalewatch: baked in version ${baked.version} (from ${baked.source})` +
    (baked.endpoint ? `, reporting to ${baked.endpoint}` : ', reporting to /api/ingest on the app\'s origin') +
    (baked.key ? '' : '; no ingest key: set STALEWATCH_KEY')
  if (said.has(line)) return
  said.add(line)
  print(line)
  if (baked.source == 'none') print('stalewatch: no version variable and no git checkout: tabs report "dev". Set STALEWATCH_VERSION or GIT_SHA.')
}
