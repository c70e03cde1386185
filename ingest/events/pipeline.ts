import { WIRE_LIMITS, type HeaderAnswer, type IngestAnswer } from '../../sdk/src/wire'
import type { Project } from '../../lib/projects/project'
import type { UpdateAdvice } from '../../lib/releases/catalog'
import type { TabAsk } from '../../lib/rollout/wave'
import { withSpan } from '../../lib/tracing'
import {
  badRequest,
  CORS_HEADERS,
  forbidden,
  headerAnswer,
  methodNotAllowed,
  newVersionsRateLimited,
  tooManyRequests,
  tooManyVersions,
  tooLarge,
  unauthorized,
  unavailable,
  unsupportedMediaType,
  type IngestResult,
} from '../edge/answers'
import type { EventRow } from '../../lib/events/row'
import { sinkRefusal } from '../log/sink'
import { eventTimeBounds, normalizeEvent } from '../../lib/events/normalize'
import { checkOrigin } from '../../lib/projects/allowed-origins'
import type { IngestRateLimiter, RateVerdict } from '../edge/rate-limit'
import { parseUserAgent } from '../../lib/events/user-agent'
import { formatIssues } from '../../lib/validation'
import { reloadAsk } from './reload-ask'
import { envelopeSchema, eventSchema } from '../../lib/events/schema'
import type { VersionRefusal, VersionVerdict } from './version-cap'

/** An ingest request as any HTTP server sees it; the body is already read (up to the limit). */
export interface IngestRequest {
  method: string
  contentType: string | null
  /** ?key= from the URL, when given there. */
  queryKey: string | null
  /**
   * ?answer= from the URL: 'header' asks for a 204 with the versions in a
   * header when every event is accepted (answers.ts headerAnswer). Old SDKs
   * send none and keep getting the 200 JSON body.
   */
  queryAnswer?: string | null
  body: Uint8Array
  /** The body was longer than the limit and was not read to the end. */
  bodyTooLarge: boolean
  receivedAt: number
  /** The client's address (ingest/edge/limits.ts clientAddress): rate limits only, never stored. */
  remoteAddress?: string | null
  /** The Origin header, checked against the project's allowlist. */
  origin?: string | null
  /** The User-Agent header, stored only as browser family and major version. */
  userAgent?: string | null
}

/** What the pipeline needs from the rest of the system; tests pass their own. */
export interface IngestDeps {
  findProject: (key: string) => Promise<Project | undefined>
  store: (rows: EventRow[]) => Promise<void>
  /** The versions to answer with, and for a tab below the minimum its reload slot (lib/rollout). */
  advise: (projectId: string, version: string, at: number, tab?: TabAsk & { replay?: boolean }) => Promise<UpdateAdvice & { reloadIn?: number | null }>
  /** Raw events' TTL: no event older than this is taken, whatever eventTimes says. */
  retentionDays: number
  /** How far from its receipt an event may claim to be (lib/events/normalize.ts). */
  eventTimes: { maxAgeHours: number; maxFutureSeconds: number }
  /** The key of a client address for the reload wave and its guard (reload-ask.ts addressKey); no cap per address when absent. */
  addressKey?: (address: string | null | undefined) => number
  /** Sees the rows of every request once they are acknowledged (the guard's storm signals). */
  onAccepted?: (projectId: string, rows: readonly EventRow[], remoteAddress: string | null | undefined) => void
  /** Per-key and per-address request limits; none when absent. */
  rateLimiter?: IngestRateLimiter
  /** The distinct-versions cap (ingest/events/version-cap.ts), with the client's address for its share of new versions; every version passes when absent. */
  admitVersion?: (projectId: string, version: string, address: string | null) => Promise<VersionVerdict>
  /** Events refused by the version cap or the new-version rate, counted for the dashboard and /api/metrics. */
  onVersionRefused?: (projectId: string, reason: VersionRefusal, events: number) => void
  /** True while the process is too busy to take more (ingest/edge/loop-pressure.ts): answer 503 before any work. */
  overloaded?: () => boolean
  /** Sees every answer, for the ingest counters of /api/metrics; `keyed`: the request carried a known ingest key. */
  onAnswer?: (result: IngestResult, keyed: boolean, remoteAddress: string | null | undefined) => void
  /** A client went away before its request was read (the adapters call it): counted, never logged. */
  onClientAbort?: () => void
}

function rateLimited(verdict: Exclude<RateVerdict, { ok: true }>): IngestResult {
  const what = verdict.scope === 'key' ? 'this ingest key' : 'your address'
  return tooManyRequests(verdict.retryAfterSeconds, `Too many requests for ${what}; retry after the given seconds.`)
}

const ACCEPTED_TYPES = ['application/json', 'text/plain']

function withCors(result: IngestResult): IngestResult {
  return { ...result, headers: { ...CORS_HEADERS, ...result.headers } }
}

export async function handleIngest(request: IngestRequest, deps: IngestDeps): Promise<IngestResult> {
  const seen = { keyed: false }
  const result = withCors(await withSpan('ingest.request', {}, (span) => processIngest(request, deps, span, seen)))
  deps.onAnswer?.(result, seen.keyed, request.remoteAddress)
  return result
}

async function processIngest(
  request: IngestRequest,
  deps: IngestDeps,
  span: { setAttribute: (k: string, v: string | number) => unknown },
  seen: { keyed: boolean },
): Promise<IngestResult> {
  if (request.method === 'OPTIONS') return { status: 204, headers: {}, body: null }
  if (request.method !== 'POST') return methodNotAllowed()
  if (deps.overloaded?.()) return unavailable(1, 'overloaded', 'Ingest is at capacity; retry after the given seconds.')
  const byAddress = deps.rateLimiter?.checkAddress(request.remoteAddress)
  if (byAddress && !byAddress.ok) return rateLimited(byAddress)

  const mediaType = (request.contentType ?? '').split(';')[0]!.trim().toLowerCase()
  if (!ACCEPTED_TYPES.includes(mediaType)) return unsupportedMediaType()
  if (request.bodyTooLarge || request.body.byteLength > WIRE_LIMITS.maxBodyBytes) return tooLarge(WIRE_LIMITS.maxBodyBytes)

  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(request.body))
  } catch {
    return badRequest('invalid_json', 'The body is not valid UTF-8 JSON.')
  }
  const envelope = await withSpan('ingest.validate', {}, async () => envelopeSchema.safeParse(json))
  if (!envelope.success) return badRequest('invalid_envelope', formatIssues(envelope.error))

  const key = envelope.data.key ?? request.queryKey
  if (!key) return unauthorized('missing_key', 'Give the project ingest key as "key" in the body or ?key= in the URL.')
  let project: Project | undefined
  try {
    project = await deps.findProject(key)
  } catch {
    return unavailable(2, 'storage_unavailable', 'Events could not be stored; none were accepted. Retry after the given seconds.')
  }
  if (!project) return unauthorized('unknown_key', 'The ingest key is not known. Check the key of your project.')
  seen.keyed = true
  const byKey = deps.rateLimiter?.checkKey(key, request.remoteAddress)
  if (byKey && !byKey.ok) return rateLimited(byKey)
  if (checkOrigin(project.allowedOrigins, request.origin ?? null) === 'not_allowed') {
    return forbidden('origin_not_allowed', "This page's origin is not on the project's list of allowed origins.")
  }
  span.setAttribute('stalewatch.project', project.id)

  const bounds = eventTimeBounds(deps.eventTimes, deps.retentionDays)
  const browser = request.userAgent === undefined ? undefined : parseUserAgent(request.userAgent)
  const rows: EventRow[] = []
  const rejected: IngestAnswer['rejected'] = []
  envelope.data.events.forEach((candidate, index) => {
    const parsed = eventSchema.safeParse(candidate)
    const id = typeof (candidate as { id?: unknown })?.id === 'string' ? (candidate as { id: string }).id : null
    if (!parsed.success) {
      rejected.push({ id, code: 'invalid_event', error: formatIssues(parsed.error, { prefix: `events.${index}.` }) })
      return
    }
    const verdict = normalizeEvent(project.id, envelope.data, parsed.data, request.receivedAt, bounds, browser)
    if (verdict.ok) rows.push(verdict.row)
    else rejected.push({ id, code: verdict.code, error: verdict.error })
  })
  if (rows.length > 0 && deps.admitVersion) {
    const verdict = await deps.admitVersion(project.id, envelope.data.version, request.remoteAddress ?? null).catch(() => null)
    if (verdict === null) return unavailable(2, 'storage_unavailable', 'Events could not be stored; none were accepted. Retry after the given seconds.')
    if (!verdict.ok) {
      deps.onVersionRefused?.(project.id, verdict.reason, rows.length)
      return verdict.reason === 'version_cap' ? tooManyVersions() : newVersionsRateLimited(verdict.retryAfterSeconds)
    }
  }
  span.setAttribute('stalewatch.events', rows.length)
  span.setAttribute('stalewatch.rejected', rejected.length)

  try {
    await withSpan('ingest.store', { 'stalewatch.events': rows.length }, () => deps.store(rows))
  } catch (error) {
    return sinkRefusal(error, 'events')
  }

  deps.onAccepted?.(project.id, rows, request.remoteAddress)
  const tab = { session: envelope.data.session, source: deps.addressKey?.(request.remoteAddress), ...reloadAsk(rows), replay: envelope.data.replay }
  const advice = await deps.advise(project.id, envelope.data.version, request.receivedAt, tab).catch(() => null)
  const versions: HeaderAnswer = {
    latest: advice?.latest ?? null,
    minSupported: advice?.minSupported ?? null,
    belowMinimum: advice?.belowMinimum ?? false,
    reloadIn: advice?.reloadIn ?? null,
  }
  // A rejection needs the body to say which event and why.
  if (request.queryAnswer === 'header' && rejected.length === 0) return headerAnswer(versions, rows.length)
  const answer: IngestAnswer = { accepted: rows.length, rejected, ...versions }
  return { status: 200, headers: {}, body: answer }
}
