import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { handleAggregates } from '@/ingest/aggregates/pipeline'
import { aggregateRuntime } from '@/ingest/aggregates/runtime'
import { handleIngest, type IngestDeps } from '@/ingest/events/pipeline'
import { ingestRuntime } from '@/ingest/events/runtime'
import { runQuery } from '@/lib/store/run-query'
import { table } from '@/lib/store/tables'
import { testProject, useEngine } from '../support/engine'
import { eventually, item, storedByLabels } from '../support/backend-load'
import { ingestRequest } from '../support/ingest-requests'

// Every acknowledged event is storable: whatever strings an event carries
// (lone surrogates, NUL, control characters, anything), an event the edge
// acknowledges reaches the real engine through the ingest log, and the valid
// events of a request are stored beside one the edge refused. Free text (an
// error's message) is stored with a documented replacement; a version is
// refused unless printable (docs/semantics.md, "Strings").

// The product default for the embedded engine: acknowledged once in the log, stored ~a segment later.
process.env.STALEWATCH_INGEST_ACK = 'logged'
process.env.STALEWATCH_FLUSH_MAX_WAIT_MS = '50'

useEngine()

const deps = (): IngestDeps => ingestRuntime().deps

/** The rule of docs/semantics.md, written out here on its own: lone surrogates and control characters but tab, newline and carriage return become U+FFFD. */
function expectedStored(text: string): string {
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    const high = unit >= 0xd800 && unit <= 0xdbff
    const low = unit >= 0xdc00 && unit <= 0xdfff
    const next = text.charCodeAt(i + 1)
    if (high && next >= 0xdc00 && next <= 0xdfff) {
      out += text[i]! + text[i + 1]!
      i++
    } else if (high || low) out += '\ufffd'
    else if ((unit < 0x20 && unit !== 0x09 && unit !== 0x0a && unit !== 0x0d) || (unit >= 0x7f && unit <= 0x9f)) out += '\ufffd'
    else out += text[i]!
  }
  return out
}

interface Stored {
  event_id: string
  type: string
  message: string
}

const storedOf = (projectId: string) =>
  runQuery<Stored>('test.storableStrings', `SELECT event_id, type, message FROM ${table('events')} WHERE project_id = {p:String}`, { p: projectId })

/** Polls until every id in `ids` is stored for the project, or 10 s pass; what is stored then. */
async function storedWhenVisible(projectId: string, ids: readonly string[]): Promise<Stored[]> {
  const deadline = Date.now() + 10_000
  let rows = await storedOf(projectId)
  while (rows.length < ids.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100))
    rows = await storedOf(projectId)
  }
  return rows
}

const special = fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', '\u0000', '\u0001', '\u001b', '\u007f', '\u0085', '\t', '\n', '\r', '\u2028', '\ufeff', '\ud83d\ude00', 'é', '"', '\\')
const nasty = fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }), special), { maxLength: 8 }).map((parts) => parts.join(''))
const anyText = fc.oneof(nasty, fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }))

let runs = 0
const nextId = (what: string) => `${what}_${Date.now().toString(36)}_${++runs}`

async function send(key: string, version: string, events: Record<string, unknown>[]) {
  const now = Date.now()
  return handleIngest(ingestRequest({ key, session: nextId('sess'), load: nextId('load'), version, sentAt: now, events: events.map((e) => ({ ts: now, ...e })) }), deps())
}

describe('every acknowledged event is storable', () => {
  it('stores every event the edge acknowledges, whatever strings it carries, beside the valid events of a request with a refused one', async () => {
    await fc.assert(
      fc.asyncProperty(anyText, anyText, anyText, fc.oneof(fc.constant('v1.0.0'), anyText), async (message, latest, previousVersion, version) => {
        const p = await testProject('strings')
        const events = [
          { id: nextId('err'), type: 'error', message },
          { id: nextId('upd'), type: 'update_available', latest },
          { id: nextId('load'), type: 'load', visibility: 'visible', navigation: 'reload', previousVersion },
          { id: nextId('beat'), type: 'heartbeat', visibility: 'visible' },
        ]
        const result = await send(p.ingestKey, version, events)
        if (result.status === 400) {
          // Only the envelope's own version can sink the request, and the answer says so.
          expect((result.body as { error: { code: string; message: string } }).error).toEqual({ code: 'invalid_envelope', message: expect.stringMatching(/^version: /) })
          return
        }
        expect(result.status).toBe(200)
        const body = result.body as { accepted: number; rejected: { id: string | null; error: string }[] }
        const refused = new Set(body.rejected.map((r) => r.id))
        const acknowledged = events.filter((e) => !refused.has(e.id))
        expect(body.accepted).toBe(acknowledged.length)
        // A heartbeat carries no string of its own: never refused beside the others.
        expect(refused.has(events[3]!.id)).toBe(false)
        const stored = await storedWhenVisible(
          p.id,
          acknowledged.map((e) => e.id),
        )
        expect(new Set(stored.map((r) => r.event_id))).toEqual(new Set(acknowledged.map((e) => e.id)))
        const error = stored.find((r) => r.type === 'error')
        if (error) expect(error.message).toBe(expectedStored(message))
      }),
      { numRuns: 25, endOnFailure: true },
    )
  })

  it('stores a message with a lone surrogate, NUL and control characters with U+FFFD in their place, and refuses a version-like field that is not printable while storing the rest', async () => {
    const p = await testProject('strings-known')
    const events = [
      { id: nextId('err'), type: 'error', message: 'boom \ud800 nul\u0000 bell\u0007 low\udc00 ok\ud83d\ude00 tab\tline\n' },
      { id: nextId('upd'), type: 'update_available', latest: 'v2\ud800' },
      { id: nextId('beat'), type: 'heartbeat', visibility: 'visible' },
    ]
    const result = await send(p.ingestKey, 'v1.0.0', events)
    expect(result.status).toBe(200)
    expect(result.body).toMatchObject({ accepted: 2, rejected: [{ id: events[1]!.id, error: expect.stringMatching(/^events\.1\.latest: /) }] })
    const stored = await storedWhenVisible(p.id, [events[0]!.id, events[2]!.id])
    expect(stored.map((r) => [r.type, r.message]).sort()).toEqual([
      ['error', 'boom \ufffd nul\ufffd bell\ufffd low\ufffd ok\ud83d\ude00 tab\tline\n'],
      ['heartbeat', ''],
    ])
  })
})

describe("the aggregates endpoint's strings", () => {
  it('refuses an item whose version or route group is not printable, by its index and code, and stores every item it acknowledges', async () => {
    await fc.assert(
      fc.asyncProperty(anyText, anyText, async (version, route) => {
        const p = await testProject('agg-strings')
        const items = [item({ version, route, count: 2 }), item({ route: '/fine', count: 3 })]
        const now = Date.now()
        const result = await handleAggregates(
          {
            method: 'POST',
            contentType: 'application/json',
            authorization: `Bearer ${p.serverKey}`,
            body: new TextEncoder().encode(JSON.stringify({ sentAt: now, items })),
            bodyTooLarge: false,
            receivedAt: now,
          },
          { ...aggregateRuntime().deps, rateLimiter: undefined },
        )
        expect(result.status).toBe(200)
        const body = result.body as { accepted: number; rejected: { index: number; code: string; message: string }[] }
        for (const r of body.rejected) {
          expect(r.index).toBe(0)
          expect(['invalid_version', 'invalid_item']).toContain(r.code)
          expect(r.message).toMatch(/^items\.0\.(version|route): /)
        }
        const acknowledged = body.rejected.length === 0 ? 5 : 3
        expect(body.accepted).toBe(body.rejected.length === 0 ? 2 : 1)
        const rows = await eventually(
          () => storedByLabels(p.id),
          (r) => r.reduce((n, x) => n + x.requests, 0) >= acknowledged,
          10_000,
        )
        expect(rows.reduce((n, x) => n + x.requests, 0)).toBe(acknowledged)
        if (body.rejected.length === 0) expect(rows.map((r) => r.route_group)).toContain(route)
      }),
      { numRuns: 15, endOnFailure: true },
    )
  })
})
