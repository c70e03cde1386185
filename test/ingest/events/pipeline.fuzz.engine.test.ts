import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { handleIngest, type IngestDeps } from '@/ingest/events/pipeline'
import { ingestRuntime } from '@/ingest/events/runtime'
import { runQuery } from '@/lib/store/run-query'
import { table } from '@/lib/store/tables'
import type { CreatedProject } from '@/lib/projects/project-store'
import { useEngine, testProject } from '../../support/engine'
import { startIngestServer } from '../../support/ingest-server'
import { ingestRequest, storedEvents } from '../../support/ingest-requests'

// Property tests: whatever arrives, the answer is a 2xx or a 4xx with a JSON
// error, never a 5xx or a crash. Accepted batches are stored, so the group
// commit is told to wait little (this file's process only).
process.env.STALEWATCH_FLUSH_MAX_WAIT_MS = '5'

useEngine()

let project: CreatedProject
let server: Awaited<ReturnType<typeof startIngestServer>>
const deps = (): IngestDeps => ingestRuntime().deps

beforeAll(async () => {
  project = await testProject('fuzz')
  server = await startIngestServer()
})
afterAll(async () => server?.close())

/** Events the fuzzed requests got accepted for the fuzz project: every one must be stored. */
let acceptedForProject = 0

function expectWellFormed(status: number, body: unknown): void {
  if (status === 200) acceptedForProject += (body as { accepted: number }).accepted
  expect(status).toBeGreaterThanOrEqual(200)
  expect(status).toBeLessThan(500)
  if (status >= 400) {
    const error = (body as { error?: { code?: unknown; message?: unknown } }).error
    expect(typeof error?.code).toBe('string')
    expect(typeof error?.message).toBe('string')
  }
}

const contentTypes = fc.constantFrom('application/json', 'text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', '', 'APPLICATION/JSON')
const eventTypes = fc.constantFrom('load', 'heartbeat', 'visibility', 'freeze', 'resume', 'update_available', 'update_prompt', 'reload', 'error', 'bogus')
const idLike = fc.stringMatching(/^[A-Za-z0-9_-]{8,20}$/)

/** Envelopes that are nearly valid, with any field possibly replaced by anything. */
const nearlyValid = (key: string) =>
  fc.record({
    key: fc.oneof(fc.constant(key), fc.constant(key), fc.string(), fc.anything()),
    session: fc.oneof(idLike, fc.anything()),
    load: fc.oneof(idLike, fc.anything()),
    version: fc.oneof(fc.string({ minLength: 1, maxLength: 70 }), fc.anything()),
    sentAt: fc.oneof(fc.constant(Date.now()), fc.double(), fc.integer(), fc.anything()),
    events: fc.oneof(
      fc.array(
        fc.record(
          {
            id: fc.oneof(idLike, fc.anything()),
            type: eventTypes,
            ts: fc.oneof(fc.constant(Date.now()), fc.integer(), fc.double(), fc.anything()),
            visibility: fc.oneof(fc.constantFrom('visible', 'hidden'), fc.anything()),
            navigation: fc.constantFrom('navigate', 'reload', 'back_forward', 'prerender', 'x'),
            reason: fc.constantFrom('user', 'update_prompt', 'forced', 'chunk_error', 'app', 'x'),
            action: fc.constantFrom('shown', 'accepted', 'dismissed', 'x'),
            latest: fc.string({ maxLength: 70 }),
            message: fc.string({ maxLength: 600 }),
            previousVersion: fc.string({ maxLength: 70 }),
          },
          { requiredKeys: ['id', 'type', 'ts'] },
        ),
        { maxLength: 105 },
      ),
      fc.anything(),
    ),
  })

describe('the pipeline with real dependencies', () => {
  it('answers any bytes with a 2xx or a JSON 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), contentTypes, async (bytes, contentType) => {
        const result = await handleIngest(ingestRequest(bytes, { contentType }), deps())
        expectWellFormed(result.status, result.body)
      }),
      { numRuns: 300 },
    )
  })

  it('answers any JSON value, and nearly valid envelopes, with a 2xx or a JSON 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), nearlyValid(project.ingestKey)), async (value) => {
        let text: string
        try {
          text = JSON.stringify(value) ?? 'null'
        } catch {
          text = String(value)
        }
        const result = await handleIngest(ingestRequest(text), deps())
        expectWellFormed(result.status, result.body)
      }),
      { numRuns: 300 },
    )
  })
})

describe('the live HTTP endpoint', () => {
  it('answers any method, headers and bytes with a 2xx or a JSON 4xx, and keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('POST', 'POST', 'GET', 'PUT', 'OPTIONS', 'DELETE', 'PATCH'),
        contentTypes,
        fc.oneof(fc.uint8Array({ maxLength: 3000 }), nearlyValid(project.ingestKey).map((v) => new TextEncoder().encode(JSON.stringify(v) ?? ''))),
        fc.option(fc.string({ maxLength: 40 })),
        async (method, contentType, bytes, query) => {
          const url = query === null ? server.url : `${server.url}?key=${encodeURIComponent(query)}`
          const response = await fetch(url, {
            method,
            headers: contentType ? { 'content-type': contentType } : {},
            body: method === 'GET' || method === 'OPTIONS' ? undefined : bytes,
          })
          const text = await response.text()
          const body = text ? (JSON.parse(text) as unknown) : null
          expectWellFormed(response.status, body)
        },
      ),
      { numRuns: 200 },
    )
  })
})

const sqlish = fc.constantFrom(
  "'; DROP TABLE events; --",
  "' OR '1'='1",
  '"); SELECT * FROM system.users; --',
  '{project:String}',
  '\\x27 UNION SELECT 1',
  '`backtick`',
  'Robert\'); DELETE FROM projects;--',
  '/* comment */',
  '%s%n',
  'é ü 漢字 🙂',
)

describe('SQL-like strings', () => {
  it('are stored verbatim in every free-text field and harm nothing', async () => {
    const now = Date.now()
    await fc.assert(
      fc.asyncProperty(fc.array(sqlish, { minLength: 1, maxLength: 3 }), fc.array(sqlish, { minLength: 1, maxLength: 3 }), async (v, m) => {
        const version = v.join(' ').slice(0, 64)
        const message = m.join(' ')
        const p = await testProject('sql')
        const events = [
          { id: `e_${Math.random().toString(36).slice(2, 12)}`, type: 'error', ts: now, message },
          { id: `e_${Math.random().toString(36).slice(2, 12)}`, type: 'update_available', ts: now, latest: version },
          { id: `e_${Math.random().toString(36).slice(2, 12)}`, type: 'load', ts: now, visibility: 'visible', navigation: 'reload', previousVersion: version },
        ]
        const result = await handleIngest(
          ingestRequest({ key: p.ingestKey, session: 'sess_sqlish_1', load: 'load_sqlish_1', version, sentAt: now, events }),
          deps(),
        )
        expect(result.status).toBe(200)
        expect((result.body as { accepted: number }).accepted).toBe(3)
        const rows = await runQuery<{ type: string; version: string; message: string; latest: string; previous_version: string }>(
          'test.sqlish',
          `SELECT type, version, message, latest, previous_version FROM ${table('events')} WHERE project_id = {project:String} ORDER BY type`,
          { project: p.id },
        )
        expect(rows).toEqual([
          { type: 'error', version, message, latest: '', previous_version: '' },
          { type: 'load', version, message: '', latest: '', previous_version: version },
          { type: 'update_available', version, message: '', latest: version, previous_version: '' },
        ])
      }),
      { numRuns: 15 },
    )
    // Every table is still there, with its rows: one known-good batch on top
    // of what the fuzzing got accepted, and every accepted event is stored.
    const known = await handleIngest(
      ingestRequest({ key: project.ingestKey, session: 'sess_fuzz_known', load: 'load_fuzz_known', version: 'v1', sentAt: now, events: [{ id: 'evt_fuzz_known', type: 'heartbeat', ts: now }] }),
      deps(),
    )
    expectWellFormed(known.status, known.body)
    expect(known.status).toBe(200)
    expect((await storedEvents(project.id)).length).toBe(acceptedForProject)
    const [projects] = await runQuery<{ n: string }>('test.projectsCount', `SELECT count() AS n FROM ${table('projects')}`)
    expect(Number(projects!.n)).toBeGreaterThan(15)
  })
})
