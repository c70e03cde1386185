// Which requests are ingest requests. server.ts asks this of every raw
// request target before anything else, so every spelling of the ingest path
// that a router downstream might resolve to /api/ingest (dot segments,
// percent-encoding, doubled or trailing slashes, case, an absolute-form
// target) is served by the one front door, with its limits and shedding,
// instead of slipping through to the Next.js route. A target whose
// percent-encoding is broken is refused outright: no router can say where it goes.

export const INGEST_PATH = '/api/ingest'
/** Backend-load aggregates from the app's servers (docs/backend-load.md): the same front door. */
export const AGGREGATES_PATH = '/api/ingest/aggregates'

export type RequestTarget = { kind: 'ingest'; search: string } | { kind: 'aggregates' } | { kind: 'other' } | { kind: 'malformed' } | { kind: 'server-wide' }

/** The path of a request target with its dot segments resolved and empty segments dropped, percent-decoded once. */
export function canonicalPath(path: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(path)
  } catch {
    return null
  }
  const segments: string[] = []
  for (const segment of decoded.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') segments.pop()
    else segments.push(segment)
  }
  return '/' + segments.join('/')
}

export function classifyTarget(raw: string | undefined): RequestTarget {
  // `*` (asterisk form, `OPTIONS * HTTP/1.1`) asks about the server, not a path: no router knows it.
  if (raw === '*') return { kind: 'server-wide' }
  let target = raw || '/'
  // Absolute form (`POST http://host/api/ingest HTTP/1.1`) names the path after the authority.
  const authority = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(target)
  if (authority) target = target.slice(authority[0].length) || '/'
  const hash = target.indexOf('#')
  if (hash >= 0) target = target.slice(0, hash)
  const question = target.indexOf('?')
  const path = question >= 0 ? target.slice(0, question) : target
  const canonical = canonicalPath(path)
  if (canonical === null) return { kind: 'malformed' }
  const lower = canonical.toLowerCase()
  if (lower === INGEST_PATH) return { kind: 'ingest', search: question >= 0 ? target.slice(question) : '' }
  return lower === AGGREGATES_PATH ? { kind: 'aggregates' } : { kind: 'other' }
}
