import { z } from 'zod'
import { RATE_EVENTS, type RateEvent } from '../figures/event-rates/read-rate'
import { versionString } from '../validation'
import { reconnectStormFields, requestsPerTabFields, staleRequestsFields } from './backend-load-conditions'

// What an alert rule may say, validated at the admin API. A bad rule answers
// 400 naming the field (lib/http/json.ts readJson prints each issue's path).

const minutes = (max: number) => z.number().min(0, 'must be 0 or more').max(max, `must be at most ${max}`)
const count = z.number().int('must be a whole number').min(0, 'must be 0 or more')

// Hysteresis shared by every kind: a firing rule resolves only once its value
// has been at or below threshold × (1 − resolveMargin) for resolveAfter
// evaluations in a row, so a value hovering at the threshold does not flap.
const hysteresis = {
  resolveMargin: z.number().min(0).max(0.9, 'must be at most 0.9').default(0.1),
  resolveAfter: z.number().int().min(1).max(100).default(2),
}

export const staleShareCondition = z.object({
  kind: z.literal('stale_share'),
  thresholdPercent: z.number().gt(0, 'must be above 0').lt(100, 'must be below 100'),
  forMinutes: minutes(1440).default(10),
  graceMinutes: minutes(10080).default(60),
  ...hysteresis,
})

export const belowMinimumCondition = z.object({
  kind: z.literal('below_minimum'),
  maxSessions: count,
  forMinutes: minutes(1440).default(5),
  ...hysteresis,
})

export const versionLiveCondition = z.object({
  kind: z.literal('version_live'),
  /** One version; absent means any version ordered before the latest release. */
  version: versionString.optional(),
  maxSessions: count,
  graceMinutes: minutes(10080).default(60),
  forMinutes: minutes(1440).default(0),
  ...hysteresis,
})

export const eventRateCondition = z.object({
  kind: z.literal('event_rate'),
  // What each name counts: lib/figures/event-rates/read-rate.ts (a reload is a reloaded load).
  event: z.enum(Object.keys(RATE_EVENTS) as [RateEvent, ...RateEvent[]]),
  /** Fires when the last minute's count is above this. */
  perMinuteAbove: z.number().min(0).optional(),
  /** Fires when the last minute's count is above k × the trailing per-minute baseline… */
  baselineFactor: z.number().gt(1, 'must be above 1').max(1000).optional(),
  baselineMinutes: z.number().int().min(5, 'must be at least 5').max(1440).default(60),
  /** …and above this floor, so one reload over a silent baseline is no storm. */
  minPerMinute: z.number().min(0).default(10),
  forMinutes: minutes(1440).default(1),
  ...hysteresis,
})

export const ingestSilenceCondition = z.object({
  kind: z.literal('ingest_silence'),
  silentMinutes: z.number().gt(0, 'must be above 0').max(1440),
  /** Only a project with events in this span counts as having had traffic. */
  lookbackHours: z.number().gt(0).max(24 * 30).default(24),
  forMinutes: minutes(1440).default(0),
  ...hysteresis,
})

export const skewErrorsCondition = z.object({
  kind: z.literal('skew_errors'),
  /** Fires when skew errors from builds older than the latest, per live tab of those builds, are above this. */
  perTabAbove: z.number().gt(0, 'must be above 0'),
  /** Minutes of skew errors counted, ending now. */
  windowMinutes: z.number().int('must be a whole number').min(1, 'must be at least 1').max(60, 'must be at most 60').default(5),
  /** Live tabs of older builds needed for a value: a handful of tabs is noise. */
  minTabs: z.number().int('must be a whole number').min(1, 'must be at least 1').default(5),
  forMinutes: minutes(1440).default(0),
  ...hysteresis,
})

// Backend load by client version (./backend-load-conditions.ts).
export const staleRequestsCondition = z.object({ ...staleRequestsFields, ...hysteresis })
export const requestsPerTabCondition = z.object({ ...requestsPerTabFields, ...hysteresis })
export const reconnectStormCondition = z.object({ ...reconnectStormFields, ...hysteresis })

export const conditionSchema = z.discriminatedUnion('kind', [
  staleShareCondition,
  belowMinimumCondition,
  versionLiveCondition,
  eventRateCondition,
  ingestSilenceCondition,
  skewErrorsCondition,
  staleRequestsCondition,
  requestsPerTabCondition,
  reconnectStormCondition,
])
export type Condition = z.infer<typeof conditionSchema>

const httpUrl = z
  .string()
  .url('must be a URL')
  .max(2000)
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http or https URL')

export const destinationInput = z.object({
  kind: z.enum(['webhook', 'slack']),
  url: httpUrl,
  /** HMAC key for x-stalewatch-signature; generated when absent and shown once. */
  secret: z.string().min(16, 'must be at least 16 characters').max(200).optional(),
})

export const newRuleSchema = z
  .object({
    project: z.string().min(1, 'is required'),
    name: z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters'),
    condition: conditionSchema,
    destinations: z.array(destinationInput).min(1, 'needs at least one destination').max(5, 'at most 5 destinations'),
  })
  .superRefine((rule, ctx) => {
    const c = rule.condition
    if ((c.kind === 'event_rate' || c.kind === 'reconnect_storm') && c.perMinuteAbove === undefined && c.baselineFactor === undefined) {
      ctx.addIssue({ code: 'custom', path: ['condition', 'perMinuteAbove'], message: 'give perMinuteAbove, baselineFactor or both' })
    }
  })
export type NewRule = z.infer<typeof newRuleSchema>

export interface Destination {
  id: string
  kind: 'webhook' | 'slack'
  url: string
  secret: string
}

export interface AlertRule {
  id: string
  projectId: string
  name: string
  condition: Condition
  destinations: Destination[]
  deleted: boolean
  createdAt: number
}

/** A rule as the API lists it: destination secrets are never shown again. */
export function publicRule(rule: AlertRule) {
  return {
    id: rule.id,
    project: rule.projectId,
    name: rule.name,
    condition: rule.condition,
    destinations: rule.destinations.map(({ id, kind, url }) => ({ id, kind, url })),
    createdAt: rule.createdAt,
  }
}
