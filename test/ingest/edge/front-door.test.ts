import { describe, expect, it } from 'vitest'
import { classifyTarget } from '@/ingest/edge/front-door'

describe('the ingest front door', () => {
  it('recognises every spelling of /api/ingest, keeping the query string', () => {
    for (const target of [
      '/api/ingest',
      '/api/./ingest',
      '/./api/ingest',
      '/api/x/../ingest',
      '/api/%2e/ingest',
      '/api/x/%2E%2E/ingest',
      '/api/%69ngest',
      '/%61pi/ingest',
      '/api%2Fingest',
      '//api/ingest',
      '/api//ingest',
      '/api/ingest/',
      '/api/ingest/.',
      '/API/INGEST',
      '/api/ingest#fragment',
      'http://localhost/api/ingest',
      'http://localhost:3000/api/./ingest',
    ]) {
      expect(classifyTarget(target), target).toEqual({ kind: 'ingest', search: '' })
    }
    expect(classifyTarget('/api/./ingest?key=k&answer=header')).toEqual({ kind: 'ingest', search: '?key=k&answer=header' })
  })

  it('recognises every spelling of /api/ingest/aggregates as the aggregates door', () => {
    for (const target of ['/api/ingest/aggregates', '/api/./ingest/aggregates', '/api/x/../ingest/aggregates', '/api/ingest/%61ggregates', '//api/ingest/aggregates/', '/API/Ingest/Aggregates']) {
      expect(classifyTarget(target), target).toEqual({ kind: 'aggregates' })
    }
  })

  it('leaves other paths to the router, and refuses broken percent-encoding', () => {
    for (const target of ['/', '/api/ingestx', '/api/ingest;x', '/api/ingest%00', '/api/%252e/ingest', '/api/stats/live', '/api/ingest/../projects', '/login?next=/api/ingest']) {
      expect(classifyTarget(target).kind, target).toBe('other')
    }
    for (const target of ['/releases/%E0%A4%A', '/%', '/api/%zz']) expect(classifyTarget(target).kind, target).toBe('malformed')
  })
})
