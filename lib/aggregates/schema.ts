import { z } from 'zod'
import { AGGREGATE_LIMITS, type AggregateEnvelope, type AggregateItem } from '../../sdk/src/server/wire'
import { printableLabel, versionString } from '../validation'

// zod schemas for the aggregate wire format (docs/wire-format.md,
// "Aggregates"). The envelope first; then each item on its own, so one bad
// item is reported by its index and the others are stored.

const MINUTE_MS = 60_000
const epochMs = z.number().int('must be an integer (epoch ms)').min(0, 'must be epoch ms').max(8.64e15, 'must be epoch ms')

export const aggregateEnvelopeSchema = z.object({
  sentAt: epochMs,
  items: z
    .array(z.unknown())
    .min(1, 'must hold at least one item')
    .max(AGGREGATE_LIMITS.maxItems, `must hold at most ${AGGREGATE_LIMITS.maxItems} items`),
})

export const aggregateItemSchema = z.object({
  minute: epochMs.refine((ms) => ms % MINUTE_MS === 0, 'must be a minute boundary (epoch ms divisible by 60000)'),
  kind: z.enum(['http', 'ws_upgrade', 'ws_reconnect']),
  // Versions are opaque: the rule is the events' (1–64 printable characters).
  version: versionString,
  route: printableLabel(AGGREGATE_LIMITS.maxRouteLength),
  status: z.enum(['1xx', '2xx', '3xx', '4xx', '5xx', 'aborted', 'forwarded']),
  count: z
    .number()
    .int('must be an integer')
    .min(1, 'must be at least 1')
    .max(AGGREGATE_LIMITS.maxCount, `must be at most ${AGGREGATE_LIMITS.maxCount} (more in one minute from one sender is not a real count)`),
})

export type ParsedAggregateItem = z.infer<typeof aggregateItemSchema>

// Compile-time checks that the schemas and the shared wire types agree.
type Assert<T extends true> = T
export type ItemMatchesWire = Assert<ParsedAggregateItem extends AggregateItem ? (AggregateItem extends ParsedAggregateItem ? true : false) : false>
export type EnvelopeMatchesWire = Assert<
  Omit<z.infer<typeof aggregateEnvelopeSchema>, 'items'> extends Omit<AggregateEnvelope, 'items'>
    ? Omit<AggregateEnvelope, 'items'> extends Omit<z.infer<typeof aggregateEnvelopeSchema>, 'items'>
      ? true
      : false
    : false
>

/** The code of an item's first problem: the field that is wrong, when one field is. */
export function itemErrorCode(error: z.ZodError): string {
  const field = error.issues[0]?.path[0]
  return field === 'version' ? 'invalid_version' : field === 'count' ? 'invalid_count' : field === 'minute' ? 'invalid_window' : 'invalid_item'
}
