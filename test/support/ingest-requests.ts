import { errorCode as answerErrorCode } from '@/ingest/edge/answers'
import type { IngestRequest } from '@/ingest/events/pipeline'
import { runQuery } from '@/lib/store/run-query'
import { table } from '@/lib/store/tables'

// Shared by the hardening tests: build a pipeline request, read rows back.

export function ingestRequest(body: unknown, overrides: Partial<IngestRequest> = {}): IngestRequest {
  const bytes = body instanceof Uint8Array ? body : new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body))
  return {
    method: 'POST',
    contentType: 'application/json',
    queryKey: null,
    body: bytes,
    bodyTooLarge: false,
    receivedAt: Date.now(),
    ...overrides,
  }
}

export interface StoredEvent {
  event_id: string
  session_id: string
  version: string
  type: string
  message: string
  browser: string
  browser_major: number
}

export async function storedEvents(projectId: string): Promise<StoredEvent[]> {
  return runQuery<StoredEvent>(
    'test.storedEvents',
    `SELECT event_id, session_id, version, type, message, browser, browser_major FROM ${table('events')}
     WHERE project_id = {project:String} ORDER BY event_id`,
    { project: projectId },
  )
}

/** Every column of every stored row of the project, as JSON text: for "is this value stored anywhere" checks. */
export async function everythingStored(projectId: string): Promise<string> {
  const rows = await runQuery<Record<string, unknown>>('test.everythingStored', `SELECT * FROM ${table('events')} WHERE project_id = {project:String}`, {
    project: projectId,
  })
  return JSON.stringify(rows)
}

/** The code of an error answer's body: the product's reading (ingest/edge/answers.ts). */
export const errorCode = (body: unknown): string | undefined => answerErrorCode({ body })
