import { z } from 'zod'
import { WIRE_LIMITS } from '../sdk/src/wire'

// The rules every trust boundary checks values with (ingest, the admin API,
// the stats API, configuration), and the one way their failures are told: a
// message naming each field, so a 400 says what to fix.

const MAX_VERSION_LENGTH = WIRE_LIMITS.maxVersionLength

/**
 * A label (a version, a route group): 1 to `max` printable characters.
 * Printable leaves out Unicode's "Other" (\p{C}): control and format
 * characters, private use, unassigned, and lone surrogates, which JSON's
 * "\ud800" lets through and no UTF-8 store can hold (docs/semantics.md,
 * Strings). A label is refused, never repaired: two spellings of one version
 * would split its counts.
 */
export const printableLabel = (max: number) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(/^[^\p{C}]+$/u, 'must be printable characters (no control characters, no lone surrogates)')

/** A version string (docs/semantics.md, Words): 1 to 64 printable characters. */
export const versionString = printableLabel(MAX_VERSION_LENGTH)

// What free text may not hold as stored: lone surrogates (a high one not
// followed by a low one, a low one not preceded by a high one), and control
// characters but tab, newline and carriage return (C0, DEL, C1). Matched by
// UTF-16 code unit, hence no u flag.
const UNSTORABLE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g

/** Free text as it is stored: each lone surrogate or control character (but tab, newline, carriage return) becomes U+FFFD. */
export const storableText = (text: string): string => text.replace(UNSTORABLE, '\ufffd')

/**
 * Free text (an error's message): up to `max` characters, stored with
 * storableText's replacement rather than refused, so an error still counts
 * when its text holds a stray byte (docs/semantics.md, Strings).
 */
export const freeText = (max: number) => z.string().max(max, `must be at most ${max} characters`).transform(storableText)

/** The latest epoch ms a Date can hold. */
const MAX_EPOCH_MS = 8.64e15

/** A time in JSON: epoch ms, or an ISO 8601 date. */
export const timeValue = z.union([
  z.number().int('must be an integer (epoch ms)').min(0, 'must be epoch ms').max(MAX_EPOCH_MS, 'must be epoch ms'),
  z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be epoch ms or an ISO 8601 date'),
])

/** A time in a query string: epoch ms or an ISO 8601 date, so links pasted into incident reviews can carry readable times. */
export const timeParam = z.union([
  z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(0).max(MAX_EPOCH_MS, 'must be epoch ms')),
  z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be epoch ms or an ISO 8601 date').transform((s) => Date.parse(s)),
])

/** Epoch ms of a timeValue, or `fallback` when absent. */
export function toEpochMs(value: number | string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  return typeof value === 'number' ? value : Date.parse(value)
}

export interface IssueFormat {
  /** Put before every path: "events.3." for one event of a batch. */
  prefix?: string
  /** Names a value without a path (the body, a variable). */
  root?: string
  /** Issues told at most; the rest are left off. */
  max?: number
}

/** "events.3.visibility: Invalid option…; version: must not be empty". */
export function formatIssues(error: z.ZodError, { prefix = '', root = 'body', max = 3 }: IssueFormat = {}): string {
  return error.issues
    .slice(0, max)
    .map((issue) => `${prefix}${issue.path.length ? issue.path.join('.') : root}: ${issue.message}`)
    .join('; ')
}
