import { expect } from 'vitest'
import { handleIngest, type IngestRequest } from '@/ingest/events/pipeline'
import { ingestRuntime } from '@/ingest/events/runtime'
import { adminToken } from '@/lib/auth/admin-token'
import { registerRelease } from '@/lib/releases/release-store'
import type { WireEvent } from '@/sdk/src/wire'
import { testProject } from './engine'
import { envelope, heartbeat } from './envelopes'
import { ingestRequest } from './ingest-requests'

// Shared by the rollout tests against the real engine: route handlers called
// as Next.js would, a tab's request through the real pipeline, a project
// with two releases.

export type Project = Awaited<ReturnType<typeof testProject>>
type Handler = (request: Request, context: { params: Promise<{ id: string }> }) => Promise<Response>

export async function call(handler: Handler, project: string, path: string, init: RequestInit & { bearer?: string | null } = {}) {
  const headers = new Headers(init.headers)
  const bearer = init.bearer === undefined ? adminToken() : init.bearer
  if (bearer) headers.set('authorization', `Bearer ${bearer}`)
  if (init.body) headers.set('content-type', 'application/json')
  const response = await handler(new Request(`http://dash.test${path}`, { ...init, headers }), { params: Promise.resolve({ id: project }) })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & { error?: { code: string; message: string } } }
}

/** One request of a tab, through the real pipeline; its answer's versions and slot. */
export async function send(project: Project, session: string, version: string, events: WireEvent[], extra: object = {}, request: Partial<IngestRequest> = {}) {
  const result = await handleIngest(ingestRequest(envelope(project.ingestKey, version, events, { session, ...extra }), request), ingestRuntime().deps)
  expect(result.status).toBe(200)
  return result.body as { belowMinimum: boolean; reloadIn: number | null }
}

// Each heartbeat a millisecond after the one before: a tab's latest state is the one with the latest
// event time, and three made in the same millisecond would leave the latest to chance. They are dated
// a few seconds back because the server never stores an event time later than the request's receipt
// (lib/events/normalize.ts): stamped now, +1 and +2 ms ran ahead of the envelope's sentAt and were all
// clamped to the same receive time, the tie again (CI at 539efd0: hidden 2, visible 2).
const HEARTBEATS_DATED_BACK_MS = 5_000
let lastHeartbeatAt = 0
export const hb = (visibility: 'visible' | 'hidden', more: object = {}) => {
  lastHeartbeatAt = Math.max(Date.now() - HEARTBEATS_DATED_BACK_MS, lastHeartbeatAt + 1)
  return { ...heartbeat(lastHeartbeatAt, visibility), ...more } as WireEvent
}

/** A project with releases v1 and v2. */
export async function released(name: string): Promise<Project> {
  const project = await testProject(name)
  await registerRelease({ project: project.id, version: 'v1', releasedAt: Date.now() - 60_000 })
  await registerRelease({ project: project.id, version: 'v2', releasedAt: Date.now() - 30_000 })
  return project
}
