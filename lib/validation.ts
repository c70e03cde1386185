import { z } from 'zod'
import { WIRE_LIMITS } from './wire-format'

// The rules every trust boundary checks values with (ingest, the admin API,
// the stats API, configuration), and the one way their failures are told: a
// message naming each field, so a 400 says what to fix.

const MAX_VERSION_LENGTH = WIRE_LIMITS.maxVersionLength

/** A version string (docs/semantics.md, Words): 1 to 64 printable characters. */
export const versionString = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_VERSION_LENGTH, `must be at most ${MAX_VERSION_LENGTH} characters`)
  .regex(/^[^\p{C}]+$/u, 'must be printable characters')

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
