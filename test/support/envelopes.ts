import type { IngestEnvelope, WireEvent } from '@/sdk/src/wire'

// Builders for wire-format envelopes in tests.

let seq = 0
export const uid = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${(seq++).toString(36).padStart(4, '0')}`

export function envelope(key: string, version: string, events: WireEvent[], overrides: Partial<IngestEnvelope> = {}): IngestEnvelope {
  return {
    key,
    session: uid('sess'),
    load: uid('load'),
    version,
    sentAt: Date.now(),
    events,
    ...overrides,
  }
}

export function heartbeat(ts: number, visibility: 'visible' | 'hidden' = 'visible'): WireEvent {
  return { id: uid('evt'), type: 'heartbeat', ts, visibility }
}

export async function post(url: string, body: unknown, contentType = 'application/json'): Promise<{ status: number; headers: Headers; json: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : null }
}
