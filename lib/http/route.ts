import { credentialsOf, isAdminRequest } from '../auth/authorize'
import { holdsDeployCredential, isDeployRequest } from '../auth/deploy-token'
import { isMetricsRequest } from '../metrics/token'
import type { Project } from '../projects/project'
import { errorJson, guarded, unauthorizedJson } from './json'

// The one way a route handler is made: each says who may call it, and the
// wrapper checks that before the handler runs (and answers a generic 500 for
// anything unexpected, through `guarded`). test/scenarios/security/access.app.test.ts
// walks every route.ts and fails on a handler not made here, or public but
// not on its allow-list.

export type RouteAccess = 'admin' | 'deploy' | 'metrics' | 'public'

const ACCESS = Symbol.for('stalewatch.routeAccess')

type Handler<Context> = (request: Request, context: Context) => Promise<Response>
/** What Next.js calls; it always passes the context, tests of routes without params may leave it out. */
export type Route<Context> = ((request: Request, context?: Context) => Promise<Response>) & { readonly [ACCESS]: RouteAccess }

function made<Context>(access: RouteAccess, handler: Handler<Context>): Route<Context> {
  const run = guarded(handler)
  return Object.assign((request: Request, context?: Context) => run(request, context as Context), { [ACCESS]: access })
}

/** The admin bearer token, or a live dashboard session (with its CSRF rules for state changes). */
export function adminRoute<Context>(handler: Handler<Context>): Route<Context> {
  return made('admin', async (request, context: Context) => ((await isAdminRequest(credentialsOf(request))) ? handler(request, context) : unauthorizedJson()))
}

/**
 * The admin, or the deploy token of the project the request is about.
 * `projectOf` names that project from the request (its path or body) before
 * anything else is judged, so a caller without a token learns nothing about
 * the request's rules. A name that does not resolve (its 404, or the 409 of a
 * name several projects share, lib/projects/project-ref.ts) is told only to
 * the admin and to holders of a deploy token (a 401 would blame a token that
 * is fine); anybody else gets the same 401 as for a project that exists, so
 * the routes cannot be used to learn project names or ids.
 */
export function deployRoute<Context>(
  projectOf: (request: Request, context: Context) => Promise<Project | Response | undefined>,
  handler: (request: Request, context: Context, project: Project | undefined) => Promise<Response>,
): Route<Context> {
  const unauthorized = () => errorJson(401, 'unauthorized', 'Send Authorization: Bearer <deploy token or admin token>.')
  return made('deploy', async (request, context: Context) => {
    const project = await projectOf(request, context)
    if (project instanceof Response) return (await holdsDeployCredential(request)) ? project : unauthorized()
    if (!(await isDeployRequest(request, project))) return unauthorized()
    return handler(request, context, project)
  })
}

/** The metrics token (STALEWATCH_METRICS_TOKEN, else the admin token). */
export function metricsRoute<Context>(handler: Handler<Context>): Route<Context> {
  return made('metrics', async (request, context: Context) =>
    isMetricsRequest(request.headers.get('authorization')) ? handler(request, context) : unauthorizedJson(),
  )
}

/** Anyone: the handler checks what it needs itself (the ingest key, the login form). Say why in `reason`. */
export function publicRoute<Context>(reason: string, handler: Handler<Context>): Route<Context> {
  void reason
  return made('public', handler)
}

export function routeAccess(handler: unknown): RouteAccess | undefined {
  return typeof handler === 'function' ? (handler as Partial<Route<unknown>>)[ACCESS] : undefined
}
