// The stalewatch command (bin.ts runs it), run from CI after a deploy:
//   npx stalewatch release          registers this build's version
//   npx stalewatch min-supported    makes a version the minimum supported one
//   npx stalewatch version          prints the version and where it came from
//   npx stalewatch wait / check     release gates on the fleet (gates.ts)
// The version comes from version.ts, as the build helpers bake it in, so the
// release and the tabs carry the same string. Node >= 18 (global fetch).
import { checkBelow, parseDuration, parsePercent, waitForAdoption } from './gates'
import { resolveBuildVersion } from './version'
import { runNg } from './angular-build'

const HELP = `Usage: npx stalewatch <command> [options]

Commands:
  release              Register this build's version as a release of the project
                       (POST /api/releases). Run it when the deploy goes live.
  min-supported [VER]  Make VER the minimum supported version: tabs running an
                       older one reload in a paced wave, and only when safe
                       (PUT /api/projects/<project>/min-supported).
                       VER defaults to this build's version.
  version              Print this build's version and where it came from.
  ng ARGS…             Run the Angular CLI (ng ARGS…, e.g. ng build) with this
                       build's version, STALEWATCH_KEY and STALEWATCH_URL baked
                       in (--define), for stalewatch/angular.
  wait --adoption P    Wait until the latest release runs in at least P % of live
                       tabs; exit 0 then, 1 at --timeout (default 30m), printing
                       the adoption at every poll (--every, default 15s).
  check --below VER    Exit 1 while the builds older than VER exceed a limit:
                       --max-live N tabs, --max-share P % of live tabs, or
                       --max-requests N backend requests in the last hour
                       (--requests-minutes M for another window); 0 otherwise.
                       Prints what it measured either way.

Options (each also from the environment):
  --url URL            Stalewatch's URL, e.g. https://stalewatch.example   STALEWATCH_URL
  --project P          the project's name or id (p_…)                     STALEWATCH_PROJECT
  --version V          the version (default: see below)                   STALEWATCH_VERSION
  --commit SHA         release only: the commit, stored with the release
  -h, --help           show this help

The deploy token is read from STALEWATCH_DEPLOY_TOKEN only (never an option,
so it stays out of shell history and process lists).

The version is the first set of STALEWATCH_VERSION, GIT_SHA, VERCEL_GIT_COMMIT_SHA,
CF_PAGES_COMMIT_SHA, COMMIT_REF (Netlify), GITHUB_SHA, CI_COMMIT_SHA (GitLab),
BITBUCKET_COMMIT, CIRCLE_SHA1, RENDER_GIT_COMMIT, RAILWAY_GIT_COMMIT_SHA,
SOURCE_VERSION (Heroku), else \`git rev-parse HEAD\`, else "dev": the same rule
as withStalewatch (stalewatch/next) and the Vite plugin (stalewatch/vite).
`

type Env = Record<string, string | undefined>

interface Parsed {
  command?: string
  positional: string[]
  flags: Record<string, string>
  help: boolean
}

const FLAGS = ['url', 'project', 'version', 'commit', 'adoption', 'timeout', 'every', 'below', 'max-live', 'max-share', 'max-requests', 'requests-minutes']

function parse(argv: string[]): Parsed | string {
  const out: Parsed = { positional: [], flags: {}, help: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg == '-h' || arg == '--help') out.help = true
    else if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined]
      if (!FLAGS.includes(name)) return `unknown option --${name}`
      const value = inline ?? argv[++i]
      if (value === undefined || value === '') return `--${name} needs a value`
      out.flags[name] = value
    } else if (!out.command) out.command = arg
    else out.positional.push(arg)
  }
  return out
}

export interface CliIo {
  env: Env
  out: (line: string) => void
  err: (line: string) => void
  fetch: typeof fetch
}

/** Runs the command; resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  // Everything after `ng` is the Angular CLI's.
  if (argv[0] == 'ng') return runNg(argv.slice(1), io.env, io.out)
  const p = parse(argv)
  if (typeof p == 'string') {
    io.err(`stalewatch: ${p}\n\n${HELP}`)
    return 2
  }
  if (p.help || !p.command) {
    ;(p.help ? io.out : io.err)(HELP)
    return p.help ? 0 : 2
  }
  const found = p.flags.version
    ? { version: p.flags.version, source: '--version' }
    : resolveBuildVersion(io.env)
  if (p.command == 'version') {
    io.out(`${found.version} (from ${found.source})`)
    return 0
  }
  if (!['release', 'min-supported', 'wait', 'check'].includes(p.command)) {
    io.err(`stalewatch: unknown command ${JSON.stringify(p.command)}\n\n${HELP}`)
    return 2
  }
  const url = (p.flags.url ?? io.env.STALEWATCH_URL)?.replace(/\/+$/, '')
  const project = p.flags.project ?? io.env.STALEWATCH_PROJECT
  const token = io.env.STALEWATCH_DEPLOY_TOKEN
  const missing = [!url && '--url or STALEWATCH_URL', !project && '--project or STALEWATCH_PROJECT', !token && 'STALEWATCH_DEPLOY_TOKEN'].filter(Boolean)
  if (missing.length) {
    io.err(`stalewatch: missing ${missing.join(', ')} (see --help)`)
    return 2
  }
  if (p.command == 'wait' || p.command == 'check') return gate(p, { url: url!, project: project!, token: token! }, io)
  const version = p.command == 'min-supported' ? (p.positional[0] ?? found.version) : found.version
  if (version == 'dev' && !p.flags.version && !p.positional[0]) {
    io.err('stalewatch: no version found (no GIT_SHA, STALEWATCH_VERSION or platform variable, and no git checkout): refusing to register "dev"')
    return 2
  }
  const release = p.command == 'release'
  const target = release ? `${url}/api/releases` : `${url}/api/projects/${encodeURIComponent(project!)}/min-supported`
  const body = release ? { project, version, ...(p.flags.commit ? { commit: p.flags.commit } : {}) } : { version }
  let res: Response
  try {
    res = await io.fetch(target, {
      method: release ? 'POST' : 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  } catch (error) {
    io.err(`stalewatch: could not reach ${url}: ${error instanceof Error ? (error.cause as Error | undefined)?.message ?? error.message : error}`)
    return 1
  }
  const text = await res.text()
  let answer: { error?: { message?: string }; project?: string; releasedAt?: number; changedAt?: number; unchanged?: boolean } = {}
  try {
    answer = JSON.parse(text)
  } catch {
    // Not JSON (a proxy's page): reported by status below.
  }
  if (!res.ok) {
    io.err(`stalewatch: ${res.status} from ${target}: ${answer.error?.message ?? text.slice(0, 200)}`)
    return 1
  }
  const when = new Date((release ? answer.releasedAt : answer.changedAt) ?? Date.now()).toISOString()
  const from = release && !p.flags.version ? ` (version from ${found.source})` : ''
  io.out(
    release
      ? `stalewatch: registered release ${version} of project ${project} (${answer.project}) at ${when}${from}`
      : answer.unchanged
        ? `stalewatch: minimum supported version of project ${project} (${answer.project}) is already ${version}, since ${when}: nothing changed`
        : `stalewatch: minimum supported version of project ${project} (${answer.project}) is now ${version}, since ${when}`,
  )
  return 0
}

const count = (text: string | undefined) => (text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined)

/** wait and check: their options read and checked here, the measuring in gates.ts. */
function gate(p: Parsed, target: { url: string; project: string; token: string }, io: CliIo): Promise<number> | number {
  const bad = (message: string) => {
    io.err(`stalewatch: ${message} (see --help)`)
    return 2
  }
  const f = p.flags
  if (p.command == 'wait') {
    const adoption = f.adoption === undefined ? undefined : parsePercent(f.adoption)
    const timeoutMs = parseDuration(f.timeout ?? '30m')
    const everyMs = parseDuration(f.every ?? '15s')
    if (adoption === undefined) return bad('wait needs --adoption P, a share from 0 to 100 %')
    if (timeoutMs === undefined || everyMs === undefined || everyMs <= 0) return bad('--timeout and --every take a duration such as 30m, 90s or 1h')
    return waitForAdoption(target, { adoption, timeoutMs, everyMs }, io)
  }
  const below = f.below ?? p.positional[0]
  if (!below) return bad('check needs --below VERSION')
  const maxShare = f['max-share'] === undefined ? undefined : parsePercent(f['max-share'])
  const maxLive = count(f['max-live'])
  const maxRequests = count(f['max-requests'])
  const requestsMinutes = count(f['requests-minutes'])
  if (f['max-share'] !== undefined && maxShare === undefined) return bad('--max-share takes a share from 0 to 100 %')
  if ((f['max-live'] !== undefined && maxLive === undefined) || (f['max-requests'] !== undefined && maxRequests === undefined)) return bad('--max-live and --max-requests take a whole number')
  if (f['requests-minutes'] !== undefined && !requestsMinutes) return bad('--requests-minutes takes a whole number of minutes')
  if (maxLive === undefined && maxShare === undefined && maxRequests === undefined) return bad('check needs a limit: --max-live N, --max-share P or --max-requests N')
  return checkBelow(target, { below, maxLive, maxShare, maxRequests, requestsMinutes }, io)
}
