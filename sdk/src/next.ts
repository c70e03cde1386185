// Next.js helpers (server and client): the app's version from the build
// environment, and the x-app-version header that tells open tabs about it.
// Outside the core size budget.

type Vars = Record<string, string | undefined>

// Each variable is read as a literal `process.env.NAME` so that Next.js can
// inline the NEXT_PUBLIC_* ones (and NEXT_DEPLOYMENT_ID) into client bundles.
const fromProcess = (): Vars => {
  try {
    return {
      NEXT_PUBLIC_APP_VERSION: process.env.NEXT_PUBLIC_APP_VERSION,
      VERCEL_GIT_COMMIT_SHA: process.env.VERCEL_GIT_COMMIT_SHA,
      NEXT_PUBLIC_VERCEL_GIT_COMMIT_SHA: process.env.NEXT_PUBLIC_VERCEL_GIT_COMMIT_SHA,
      NEXT_DEPLOYMENT_ID: process.env.NEXT_DEPLOYMENT_ID,
      GIT_SHA: process.env.GIT_SHA,
    }
  } catch {
    return {}
  }
}

/**
 * The running build's version: NEXT_PUBLIC_APP_VERSION, VERCEL_GIT_COMMIT_SHA
 * (NEXT_PUBLIC_VERCEL_GIT_COMMIT_SHA in the browser), NEXT_DEPLOYMENT_ID,
 * GIT_SHA, else 'dev'. At most 64 characters. Server and browser must agree:
 * set NEXT_PUBLIC_APP_VERSION at build time to be sure.
 */
export function appVersion(vars: Vars = fromProcess()): string {
  const v =
    vars.NEXT_PUBLIC_APP_VERSION ||
    vars.VERCEL_GIT_COMMIT_SHA ||
    vars.NEXT_PUBLIC_VERCEL_GIT_COMMIT_SHA ||
    vars.NEXT_DEPLOYMENT_ID ||
    vars.GIT_SHA ||
    'dev'
  return v.trim().slice(0, 64) || 'dev'
}

/** Set x-app-version on a Response (or NextResponse) and return it, e.g. in proxy.ts / middleware.ts. */
export function withVersionHeader<R extends { headers: { set(name: string, value: string): void } }>(
  response: R,
  version: string = appVersion(),
): R {
  response.headers.set('x-app-version', version)
  return response
}

/** For next.config.ts: `headers: async () => versionHeaders()` sets x-app-version on every response. */
export function versionHeaders(version: string = appVersion()) {
  return [{ source: '/:path*', headers: [{ key: 'x-app-version', value: version }] }]
}
