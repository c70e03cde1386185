// The one place that decides which version a build is (build side only: the
// Next.js and Vite helpers bake it into the bundle, the CLI registers it, so a
// tab and its release always carry the same string). Never imported by
// browser code.

/** Where a version may come from, first found wins. */
export const VERSION_VARIABLES: readonly (readonly [variable: string, platform: string])[] = [
  ['STALEWATCH_VERSION', 'set for Stalewatch'],
  ['GIT_SHA', 'the git SHA'],
  ['VERCEL_GIT_COMMIT_SHA', 'Vercel'],
  ['CF_PAGES_COMMIT_SHA', 'Cloudflare Pages'],
  ['COMMIT_REF', 'Netlify'],
  ['GITHUB_SHA', 'GitHub Actions'],
  ['CI_COMMIT_SHA', 'GitLab CI'],
  ['BITBUCKET_COMMIT', 'Bitbucket Pipelines'],
  ['CIRCLE_SHA1', 'CircleCI'],
  ['RENDER_GIT_COMMIT', 'Render'],
  ['RAILWAY_GIT_COMMIT_SHA', 'Railway'],
  ['SOURCE_VERSION', 'Heroku'],
]

/** The wire format's bound on a version. */
export const VERSION_MAX_LENGTH = 64

export interface BuildVersion {
  version: string
  /** Where it came from: a variable's name, `git rev-parse HEAD`, or `none`. */
  source: string
}

type Vars = Record<string, string | undefined>

const processEnv = (): Vars => (typeof process == 'object' ? process.env : {})

// `git rev-parse HEAD` in the working directory, when git is there. Reached
// through getBuiltinModule (Node >= 20.16) so that this module imports nothing:
// bundlers that pull it into a config file need not know about node: modules.
function gitHead(): string | undefined {
  try {
    const childProcess = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.('node:child_process') as
      | typeof import('node:child_process')
      | undefined
    const out = childProcess?.execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 })
    return out?.trim() || undefined
  } catch {
    return undefined
  }
}

/**
 * The version of the build being made: the first set variable of
 * VERSION_VARIABLES, else the checkout's git SHA, else `dev`. Trimmed and cut
 * to 64 characters.
 */
export function resolveBuildVersion(vars: Vars = processEnv(), git: () => string | undefined = gitHead): BuildVersion {
  for (const [variable, platform] of VERSION_VARIABLES) {
    const value = vars[variable]?.trim()
    if (value) return { version: value.slice(0, VERSION_MAX_LENGTH), source: `${variable} (${platform})` }
  }
  const head = git()
  if (head) return { version: head.slice(0, VERSION_MAX_LENGTH), source: 'git rev-parse HEAD' }
  return { version: 'dev', source: 'none' }
}

/** The version string alone, e.g. for SvelteKit's `version.name`. */
export const buildVersion = (vars?: Vars): string => resolveBuildVersion(vars).version
