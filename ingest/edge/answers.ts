import type { HeaderAnswer } from '../../sdk/src/wire'

// The one shape of every ingest answer: a status, headers and a JSON body (or
// none). Error bodies are always {"error": {"code", "message"}}; messages are
// written for the developer integrating the SDK and never carry internals.

export interface IngestResult {
  status: number
  headers: Record<string, string>
  body: unknown
  /** Events accepted, for the ingest counters, when the body does not say it (a 204). */
  accepted?: number
}

/** The header that carries the versions when a request asked for ?answer=header. */
export const ANSWER_HEADER = 'stalewatch-answer'

export const CORS_HEADERS: Record<string, string> = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers': 'content-type',
  'access-control-max-age': '86400',
  // Lets the SDK read Retry-After on a cross-origin 429/503, and the versions of a 204.
  'access-control-expose-headers': `retry-after, ${ANSWER_HEADER}`,
}

/**
 * JSON in ASCII only: header values are byte strings, so every character
 * from DEL up is written as \uXXXX (a pair of them outside the BMP), which
 * JSON.parse turns back into the same string.
 */
export const asciiJson = (value: unknown): string =>
  JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)

/**
 * The answer to ?answer=header when every event was accepted: no body, the
 * versions in a header. Next.js pipes every body through a web stream into the
 * node response (about 0.25 ms a request, most of the ingest route's gap to a
 * trivial route), and on node:http it is fewer bytes per heartbeat.
 */
export const headerAnswer = (versions: HeaderAnswer, accepted: number): IngestResult => ({
  status: 204,
  headers: { [ANSWER_HEADER]: asciiJson(versions) },
  body: null,
  accepted,
})

export function errorResult(status: number, code: string, message: string, headers: Record<string, string> = {}): IngestResult {
  return { status, headers, body: { error: { code, message } } }
}

/** The code of an error answer (`{ error: { code } }`), or undefined for any other answer. */
export const errorCode = (result: Pick<IngestResult, 'body'>): string | undefined =>
  (result.body as { error?: { code?: string } } | null)?.error?.code

export const badRequest = (code: string, message: string) => errorResult(400, code, message)
export const unauthorized = (code: string, message: string) => errorResult(401, code, message)
export const forbidden = (code: string, message: string) => errorResult(403, code, message)
export const methodNotAllowed = () =>
  errorResult(405, 'method_not_allowed', 'Use POST to send events (OPTIONS for CORS preflight).', { allow: 'POST, OPTIONS' })
export const tooLarge = (limit: number) =>
  errorResult(413, 'body_too_large', `The request body is over ${limit} bytes; send fewer events per request.`)
export const unsupportedMediaType = () =>
  errorResult(415, 'unsupported_media_type', 'Send the body as application/json or text/plain.')
export const tooManyRequests = (retryAfterSeconds: number, message: string) =>
  errorResult(429, 'rate_limited', message, { 'retry-after': String(retryAfterSeconds) })
export const tooManyVersions = () =>
  errorResult(
    422,
    'too_many_versions',
    'The project has reached its cap on distinct unregistered versions (STALEWATCH_MAX_VERSIONS_PER_PROJECT); events of new versions are refused. Send a stable build id as the version, and register releases from CI (POST /api/releases): a registered release is always accepted.',
  )
export const newVersionsRateLimited = (retryAfterSeconds: number) =>
  errorResult(
    429,
    'new_versions_rate_limited',
    'Too many new versions for this project in a short time (STALEWATCH_NEW_VERSIONS_PER_MINUTE); retry after the given seconds. A registered release is never held back.',
    { 'retry-after': String(retryAfterSeconds) },
  )
export const unavailable = (retryAfterSeconds: number, code: string, message: string) =>
  errorResult(503, code, message, { 'retry-after': String(retryAfterSeconds) })
