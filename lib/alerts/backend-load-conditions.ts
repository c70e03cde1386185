import { z } from 'zod'
import { versionString } from '../validation'

// The rule kinds on backend load by client version (docs/alerts.md,
// docs/backend-load.md). Each judges the latest minute whose counts have all
// arrived (lib/figures/backend-load/read-now.ts settledMinute). The
// hysteresis fields are added by rule-schema.ts, as for every kind.

const minutes = (max: number) => z.number().min(0, 'must be 0 or more').max(max, `must be at most ${max}`)

export const staleRequestsFields = {
  kind: z.literal('stale_requests'),
  /** Fires when requests per second from versions ordered before the latest release are above this. */
  perSecondAbove: z.number().gt(0, 'must be above 0'),
  /** After a release every tab is stale until it reloads: quiet for this long. */
  graceMinutes: minutes(10080).default(60),
  forMinutes: minutes(1440).default(5),
}

export const requestsPerTabFields = {
  kind: z.literal('requests_per_tab'),
  /** Fires when a version's requests per live tab are above this many times the latest release's. */
  factor: z.number().gt(1, 'must be above 1').max(1000, 'must be at most 1000'),
  /** One version; absent means any version other than the latest release. */
  version: versionString.optional(),
  /** Minutes the ratio is taken over (requests per tab-minute), ending at the settled minute. */
  windowMinutes: z.number().int('must be a whole number').min(1, 'must be at least 1').max(60, 'must be at most 60').default(5),
  /** Both sides need this many live tabs on average over the window: a handful of tabs is noise. */
  minTabs: z.number().int('must be a whole number').min(1, 'must be at least 1').default(5),
  forMinutes: minutes(1440).default(10),
}

export const reconnectStormFields = {
  kind: z.literal('reconnect_storm'),
  /** One version; absent means every version, each against its own baseline. */
  version: versionString.optional(),
  /** Fires when a version's socket reconnects in the minute are above this… */
  perMinuteAbove: z.number().min(0).optional(),
  /** …or above k × that version's per-minute average over the baselineMinutes before it… */
  baselineFactor: z.number().gt(1, 'must be above 1').max(1000).optional(),
  baselineMinutes: z.number().int().min(5, 'must be at least 5').max(1440).default(60),
  /** …and above this floor, so a few reconnects over a silent baseline are no storm. */
  minPerMinute: z.number().min(0).default(50),
  forMinutes: minutes(1440).default(0),
}
