import { AGGREGATE_LIMITS, type AggregateAnswer } from '../../sdk/src/server/wire'
import type { Project } from '../../lib/projects/project'
import { withSpan } from '../../lib/tracing'
import { badRequest, errorResult, forbidden, tooManyRequests, unauthorized, unavailable, type IngestResult } from '../edge/answers'
import { aggregateRow, type AggregateRow } from '../../lib/aggregates/row'
import { aggregateEnvelopeSchema, aggregateItemSchema, itemErrorCode, type ParsedAggregateItem } from '../../lib/aggregates/schema'
import { sinkRefusal } from '../log/sink'
import type { IngestRateLimiter, RateVerdict } from '../edge/rate-limit'
import { formatIssues } from '../../lib/validation'

// POST /api/ingest/aggregates: the counts the server middleware sends
// (docs/backend-load.md). Framework-free like the events pipeline: zod at
// the boundary, then each item on its own, so a bad item is named by its
// index and the others are stored. Server-to-server only: no CORS, and the
// key is the project's secret server key, in the Authorization header.

export interface AggregateRequest {
  method: string
  contentType: string | null
  authorization: string | null
  body: Uint8Array
  bodyTooLarge: boolean
  receivedAt: number
  remoteAddress?: string | null
}

export interface AggregateDeps {
  findProjectByServerKey: (key: string) => Promise<Project | undefined>
  /** Only to tell a sender that it used the ingest key, which cannot send aggregates. */
  findProjectByIngestKey: (key: string) => Promise<Project | undefined>
  /** The versions the project knows (ingest/events/known-versions.ts). */
  knownVersions: (projectId: string, versions: Iterable<string>) => Promise<ReadonlySet<string>>
  store: (rows: AggregateRow[]) => Promise<void>
  rateLimiter?: IngestRateLimiter
  overloaded?: () => boolean
  /** Every answer, for the counters of /api/metrics. */
  onAnswer?: (result: IngestResult) => void
}

const UNKNOWN = 'unknown'
const RESERVED = new Set([UNKNOWN, 'other'])

function rateLimited(verdict: Exclude<RateVerdict, { ok: true }>): IngestResult {
  const what = verdict.scope === 'key' ? 'this server key' : 'your address'
  return tooManyRequests(verdict.retryAfterSeconds, `Too many requests for ${what}; retry after the given seconds.`)
}

const storageUnavailable = () => unavailable(2, 'storage_unavailable', 'The aggregates could not be stored; none were accepted. Retry after the given seconds.')

export function bearerKey(authorization: string | null): string | null {
  const match = /^Bearer\s+(\S{1,128})\s*$/i.exec(authorization ?? '')
  return match ? match[1]! : null
}

export async function handleAggregates(request: AggregateRequest, deps: AggregateDeps): Promise<IngestResult> {
  const result = await withSpan('ingest.aggregates', {}, (span) => processAggregates(request, deps, span))
  deps.onAnswer?.(result)
  return result
}

async function processAggregates(request: AggregateRequest, deps: AggregateDeps, span: { setAttribute: (k: string, v: string | number) => unknown }): Promise<IngestResult> {
  if (request.method !== 'POST') {
    return errorResult(405, 'method_not_allowed', 'Use POST to send aggregates.', { allow: 'POST' })
  }
  if (deps.overloaded?.()) return unavailable(1, 'overloaded', 'Ingest is at capacity; retry after the given seconds.')
  const byAddress = deps.rateLimiter?.checkAddress(request.remoteAddress)
  if (byAddress && !byAddress.ok) return rateLimited(byAddress)
  const mediaType = (request.contentType ?? '').split(';')[0]!.trim().toLowerCase()
  if (mediaType !== 'application/json') return errorResult(415, 'unsupported_media_type', 'Send the body as application/json.')
  if (request.bodyTooLarge || request.body.byteLength > AGGREGATE_LIMITS.maxBodyBytes) {
    return errorResult(413, 'body_too_large', `The request body is over ${AGGREGATE_LIMITS.maxBodyBytes} bytes; send fewer items per request.`)
  }

  const key = bearerKey(request.authorization)
  if (!key) return unauthorized('missing_key', "Send the project's server key as Authorization: Bearer sws_….")
  let project: Project | undefined
  try {
    project = await deps.findProjectByServerKey(key)
    if (!project && (await deps.findProjectByIngestKey(key))) {
      return forbidden('ingest_key_not_allowed', "This is the project's ingest key, which browsers use for tab events; aggregates are sent with its server key (sws_…).")
    }
  } catch {
    return storageUnavailable()
  }
  if (!project) return unauthorized('unknown_key', 'The server key is not known. Check the server key of your project (it can be rotated from the admin API).')
  const byKey = deps.rateLimiter?.checkKey(key, request.remoteAddress)
  if (byKey && !byKey.ok) return rateLimited(byKey)
  span.setAttribute('stalewatch.project', project.id)

  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(request.body))
  } catch {
    return badRequest('invalid_json', 'The body is not valid UTF-8 JSON.')
  }
  const envelope = aggregateEnvelopeSchema.safeParse(json)
  if (!envelope.success) return badRequest('invalid_envelope', formatIssues(envelope.error))

  const valid: { index: number; item: ParsedAggregateItem }[] = []
  const rejected: AggregateAnswer['rejected'] = []
  envelope.data.items.forEach((candidate, index) => {
    const parsed = aggregateItemSchema.safeParse(candidate)
    if (!parsed.success) {
      rejected.push({ index, code: itemErrorCode(parsed.error), message: formatIssues(parsed.error, { prefix: `items.${index}.` }) })
      return
    }
    const window = windowProblem(parsed.data.minute, request.receivedAt)
    if (window) rejected.push({ index, ...window })
    else valid.push({ index, item: parsed.data })
  })

  const versions = new Set(valid.map((v) => v.item.version))
  const routes = new Set(valid.map((v) => v.item.route))
  if (versions.size > AGGREGATE_LIMITS.maxVersionsPerRequest || routes.size > AGGREGATE_LIMITS.maxRoutesPerRequest) {
    return badRequest(
      'too_many_labels',
      `The request holds ${versions.size} distinct versions and ${routes.size} distinct route groups; at most ${AGGREGATE_LIMITS.maxVersionsPerRequest} and ${AGGREGATE_LIMITS.maxRoutesPerRequest}. Count the rest under "other".`,
    )
  }

  let known: ReadonlySet<string>
  try {
    known = await deps.knownVersions(project.id, [...versions].filter((v) => !RESERVED.has(v)))
  } catch {
    return storageUnavailable()
  }
  let relabelled = 0
  const projectId = project.id
  const rows: AggregateRow[] = valid.map(({ item }) => {
    const keep = RESERVED.has(item.version) || known.has(item.version)
    if (!keep) relabelled++
    return aggregateRow({ projectId, item, version: keep ? item.version : UNKNOWN })
  })
  span.setAttribute('stalewatch.items', rows.length)
  span.setAttribute('stalewatch.rejected', rejected.length)

  if (rows.length === 0) {
    const answer: AggregateAnswer = { accepted: 0, relabelled: 0, rejected }
    return { status: 400, headers: {}, body: { error: { code: 'no_valid_items', message: 'No item of the request is valid; each one is named in "rejected".' }, ...answer } }
  }
  try {
    await deps.store(rows)
  } catch (error) {
    return sinkRefusal(error, 'aggregates')
  }
  const answer: AggregateAnswer = { accepted: rows.length, relabelled, rejected }
  return { status: 200, headers: {}, body: answer }
}

function windowProblem(minute: number, receivedAt: number): { code: string; message: string } | null {
  if (minute > receivedAt + AGGREGATE_LIMITS.maxFutureMs) {
    return { code: 'future_window', message: `minute is ${Math.round((minute - receivedAt) / 1000)} s after the receive time; at most ${AGGREGATE_LIMITS.maxFutureMs / 1000} s (check the server's clock).` }
  }
  if (minute < receivedAt - AGGREGATE_LIMITS.maxAgeMs) {
    return { code: 'stale_window', message: `minute is ${Math.round((receivedAt - minute) / 60_000)} min before the receive time; at most ${AGGREGATE_LIMITS.maxAgeMs / 60_000} min.` }
  }
  return null
}
