import type { z } from 'zod'
import { formatIssues } from '../validation'

// Helpers for the JSON APIs (admin, releases, stats). Framework-free: they
// take and return Fetch API objects, so route handlers stay thin adapters.
// Who may call a route is decided by its wrapper (lib/http/route.ts).

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  })
}

export function errorJson(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return json({ error: { code, message } }, status, headers)
}

export const unauthorizedJson = () =>
  errorJson(401, 'unauthorized', 'Send Authorization: Bearer <admin token>, or log in to the dashboard.', {
    'www-authenticate': 'Bearer',
  })

/** Reads a JSON body without judging its shape; a Response (400/415) when it is not JSON. */
export async function readJsonBody(request: Request): Promise<unknown | Response> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim()
  if (type !== 'application/json') return errorJson(415, 'unsupported_media_type', 'Send the body as application/json.')
  try {
    return await request.json()
  } catch {
    return errorJson(400, 'invalid_json', 'The body is not valid JSON.')
  }
}

/** Checks a value against a schema; a 400 naming the fields when it does not fit. */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> | Response {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  return errorJson(400, 'invalid_request', formatIssues(parsed.error))
}

/** Parses a JSON body with a schema; a Response (400/415) when it does not fit. */
export async function readJson<S extends z.ZodType>(request: Request, schema: S): Promise<z.infer<S> | Response> {
  const body = await readJsonBody(request)
  return body instanceof Response ? body : validate(schema, body)
}

/** Wraps a handler so an unexpected failure answers a generic 500 without internals, and is logged. */
export function guarded<Context>(handler: (request: Request, context: Context) => Promise<Response>) {
  return async (request: Request, context: Context): Promise<Response> => {
    try {
      return await handler(request, context)
    } catch (error) {
      const { log, errorMessage } = await import('../log')
      log.error('request failed', { path: new URL(request.url).pathname, error: errorMessage(error) })
      return errorJson(500, 'internal', 'Something went wrong on the server; it has been logged.')
    }
  }
}

export const unknownProjectJson = (id: string) => errorJson(404, 'unknown_project', `No project with id ${JSON.stringify(id)}.`)
