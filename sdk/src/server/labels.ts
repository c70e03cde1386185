// The labels a request is counted under: its client version, its route
// group and its status class. Pure functions, on the request path: plain
// character loops, no allocation beyond the label itself.
import type { StatusClass } from './wire'
import { SEND_LIMITS } from './wire'
import { RECONNECT_PARAM, VERSION_PARAM } from '../tag-names'

export const UNKNOWN = 'unknown'
export const OTHER = 'other'

/**
 * A client version as the server accepts it (the events' rule: 1–64
 * printable characters), else `unknown`: a request without a version, or
 * with one no tab could have sent, is counted, never dropped.
 */
export function versionLabel(raw: string | string[] | null | undefined): string {
  const value = Array.isArray(raw) ? raw[0] : raw
  return value && value.length <= SEND_LIMITS.maxVersionLength && PRINTABLE.test(value) ? value : UNKNOWN
}

const PRINTABLE = /^[^\p{C}]+$/u

/** A route label the server accepts: printable, at most 200 characters. */
export function routeLabel(raw: string): string {
  let label = raw.replace(/\p{C}/gu, '?') || '/'
  if (label.length > SEND_LIMITS.maxRouteLength) label = label.slice(0, SEND_LIMITS.maxRouteLength - 1) + '…'
  return label
}

export function statusClass(status: number): StatusClass {
  if (status >= 200 && status < 300) return '2xx'
  if (status >= 300 && status < 400) return '3xx'
  if (status >= 400 && status < 500) return '4xx'
  if (status >= 100 && status < 200) return '1xx'
  return status >= 500 && status < 600 ? '5xx' : 'aborted'
}

const ID = ':id'
const MAX_SEGMENTS = 8
const MAX_LENGTH = 100

/**
 * The default route group: the path without its query, with every segment
 * that looks like an id replaced by `:id`, at most 8 segments (deeper paths
 * end in `/…`). A segment looks like an id when it is all digits, holds a run
 * of 8 or more hex digits with a digit among them (hashes, uuids, hashed
 * file names), is 20 or more characters with a digit (tokens, ULIDs, nanoids),
 * or holds anything but printable ASCII or an `@` (e-mail addresses).
 * `/api/items/550e8400-e29b-41d4-a716-446655440000/comments?page=2` gives
 * `/api/items/:id/comments`.
 */
export function routeGroup(url: string): string {
  let end = url.indexOf('?')
  if (end < 0) end = url.length
  const hash = url.indexOf('#')
  if (hash >= 0 && hash < end) end = hash
  const first = url.charCodeAt(0) === 47 ? 1 : 0
  // Most paths have no id: then the label is the path itself, one slice.
  let collapse = false
  let segments = 0
  for (let start = first; ; ) {
    let stop = url.indexOf('/', start)
    if (stop < 0 || stop > end) stop = end
    if (++segments > MAX_SEGMENTS || looksLikeId(url, start, stop)) {
      collapse = true
      break
    }
    if (stop >= end) break
    start = stop + 1
  }
  if (!collapse) {
    const path = first ? url.slice(0, end) : '/' + url.slice(0, end)
    return path.length > MAX_LENGTH ? path.slice(0, MAX_LENGTH - 1) + '…' : path
  }
  let out = ''
  segments = 0
  for (let start = first; ; ) {
    let stop = url.indexOf('/', start)
    if (stop < 0 || stop > end) stop = end
    if (++segments > MAX_SEGMENTS) {
      out += '/…'
      break
    }
    out += '/' + (looksLikeId(url, start, stop) ? ID : url.slice(start, stop))
    if (stop >= end) break
    start = stop + 1
  }
  return out.length > MAX_LENGTH ? out.slice(0, MAX_LENGTH - 1) + '…' : out
}

function looksLikeId(s: string, start: number, stop: number): boolean {
  const length = stop - start
  if (length === 0) return false
  let digits = 0
  let hexRun = 0
  let hexRunDigits = 0
  let longHex = false
  for (let i = start; i < stop; i++) {
    const c = s.charCodeAt(i)
    if (c < 33 || c > 126 || c === 64) return true
    const digit = c >= 48 && c <= 57
    if (digit) digits++
    if (digit || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)) {
      hexRun++
      if (digit) hexRunDigits++
      if (hexRun >= 8 && hexRunDigits > 0) longHex = true
    } else if (c !== 45 || hexRun === 0) {
      // A dash inside a hex run (a uuid) continues it; anything else ends it.
      hexRun = 0
      hexRunDigits = 0
    }
  }
  return digits === length || longHex || (length >= 20 && digits > 0)
}

/** The version a URL carries as a query parameter (tag-requests.ts versionedUrl), for WebSocket and EventSource. */
export function queryVersion(url: string): string | undefined {
  const q = url.indexOf('?')
  if (q < 0 || url.indexOf(VERSION_PARAM + '=', q) < 0) return undefined
  return new URLSearchParams(url.slice(q + 1)).get(VERSION_PARAM) ?? undefined
}

/** Whether a socket URL is marked as a reconnect. */
export function isReconnect(url: string): boolean {
  const q = url.indexOf('?')
  return q >= 0 && new URLSearchParams(url.slice(q + 1)).get(RECONNECT_PARAM) === '1'
}
