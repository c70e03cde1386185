import { z } from 'zod'
import { freeText, versionString } from '../validation'
import { SKEW_CAUSES, WIRE_LIMITS, type IngestEnvelope, type WireEvent } from '../../sdk/src/wire'

// zod schemas for wire format v1 (docs/wire-format.md). The envelope is
// checked first; each event is then checked on its own so one bad event is
// reported by its id and does not sink the batch. Unknown fields are ignored
// (zod strips them), so the format can grow additively.

const idString = z.string().regex(WIRE_LIMITS.idPattern, 'must be 8–64 characters of A–Z, a–z, 0–9, _ or -')
const epochMs = z.number().int('must be an integer (epoch ms)').min(0, 'must be epoch ms').max(8.64e15, 'must be epoch ms')
const visibility = z.enum(['visible', 'hidden'])

export const envelopeSchema = z.object({
  key: z.string().min(1).max(128).optional(),
  session: idString,
  load: idString,
  version: versionString,
  sentAt: epochMs,
  dropped: z.number().int().min(0).optional(),
  replay: z.boolean().optional(),
  events: z
    .array(z.unknown())
    .min(1, 'must hold at least one event')
    .max(WIRE_LIMITS.maxEvents, `must hold at most ${WIRE_LIMITS.maxEvents} events`),
})

const base = { id: idString, ts: epochMs }

export const eventSchema = z.discriminatedUnion('type', [
  z.object({
    ...base,
    type: z.literal('load'),
    visibility,
    navigation: z.enum(['navigate', 'reload', 'back_forward', 'prerender']),
    previousVersion: versionString.optional(),
  }),
  z.object({ ...base, type: z.literal('heartbeat'), visibility, idle: z.boolean().optional(), unsaved: z.boolean().optional() }),
  z.object({ ...base, type: z.literal('visibility'), visibility }),
  z.object({ ...base, type: z.literal('freeze') }),
  z.object({ ...base, type: z.literal('resume') }),
  z.object({ ...base, type: z.literal('update_available'), latest: versionString }),
  z.object({ ...base, type: z.literal('update_prompt'), action: z.enum(['shown', 'accepted', 'dismissed']) }),
  z.object({ ...base, type: z.literal('reload'), reason: z.enum(['user', 'update_prompt', 'forced', 'chunk_error', 'app']) }),
  z.object({
    ...base,
    type: z.literal('error'),
    // Stored with lone surrogates and control characters replaced (docs/semantics.md, Strings).
    message: freeText(WIRE_LIMITS.maxMessageLength),
  }),
  z.object({
    ...base,
    type: z.literal('skew_error'),
    cause: z.enum(SKEW_CAUSES),
    path: freeText(WIRE_LIMITS.maxPathGroupLength),
    // ms since the tab loaded the page; at most a year (a tab's age, not a date).
    age: z.number().int('must be an integer (ms)').min(0).max(365 * 86_400_000),
  }),
])

export type ParsedEnvelope = z.infer<typeof envelopeSchema>
export type ParsedEvent = z.infer<typeof eventSchema>

// Compile-time checks, both ways, that the schemas take exactly the wire
// types the SDK defines (sdk/src/wire.ts): \`npm run typecheck\` fails if either
// drifts. An event type the SDK added and the schema lacks fails the second.
type Assert<T extends true> = T
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
export type EventMatchesWire = Assert<Same<ParsedEvent, WireEvent>>
export type EnvelopeMatchesWire = Assert<Same<Omit<ParsedEnvelope, 'events'>, Omit<IngestEnvelope, 'events'>>>
