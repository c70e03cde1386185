import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { answerBody, answerHeader, KeepAliveSockets } from '../../../scripts/bench/keep-alive-sockets'
import { fill, prepareRequest } from '../../../scripts/bench/prepared-request'

// The load generator's own HTTP client: prepared bytes written on raw
// kept-alive sockets, each answer read only as far as its status and its end.
// Against a real node:http server, every shape of answer it can meet counts
// once, with its status, and the connection serves the next request unless
// the server closed it.

const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string; socket: number }[] = []
const sockets = new Map<unknown, number>()
let server: http.Server
let port: number

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = ''
    req.setEncoding('latin1')
    req.on('data', (c: string) => (body += c))
    req.on('end', () => {
      if (!sockets.has(req.socket)) sockets.set(req.socket, sockets.size)
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body, socket: sockets.get(req.socket)! })
      const answer = new URL(req.url!, 'http://x').searchParams.get('answer')
      if (answer === 'header') res.writeHead(204).end()
      else if (answer === 'json') res.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":1}')
      else if (answer === 'chunked') {
        res.writeHead(429, { 'content-type': 'application/json' })
        res.write('{"error":')
        setTimeout(() => res.end('{"code":"rate_limited","message":"slow down"}}'), 20)
      } else if (answer === 'close') res.writeHead(503, { connection: 'close', 'content-length': '2', 'retry-after': '7' }).end('{}')
      else req.socket.destroy()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const request = (answer: string) =>
  prepareRequest({ host: `127.0.0.1:${port}`, path: `/api/ingest?answer=${answer}`, contentType: 'text/plain', body: '{"session":"tab_{tab:8}","sentAt":{sentAt:13},"events":[{"id":"ev_{id:12}","ts":{ts:13}}]}' })

it('writes the prepared bytes as the request they say, the fields patched in as zero-padded digits', async () => {
  seen.length = 0
  const pool = new KeepAliveSockets('127.0.0.1', port, 1)
  const status = await new Promise<number>((resolve) => pool.send(fill(request('header'), { tab: 42, sentAt: 1_765_000_000_123, id: 7, ts: 1_765_000_000_100 }), resolve))
  pool.close()
  expect(status).toBe(204)
  expect(seen).toHaveLength(1)
  expect(seen[0]).toMatchObject({ method: 'POST', url: '/api/ingest?answer=header', headers: { 'content-type': 'text/plain', connection: 'keep-alive' } })
  expect(JSON.parse(seen[0]!.body)).toEqual({ session: 'tab_00000042', sentAt: 1_765_000_000_123, events: [{ id: 'ev_000000000007', ts: 1_765_000_000_100 }] })
  expect(Number(seen[0]!.headers['content-length'])).toBe(seen[0]!.body.length)
})

it('refuses a value wider than its field rather than send a wrong number', () => {
  expect(() => fill(request('header'), { tab: 123_456_789, sentAt: 0, id: 0, ts: 0 })).toThrow('does not fit in 8 digits')
})

it('counts each answer once by its status, reuses its one socket, and opens a new one only when the server closed it', async () => {
  seen.length = 0
  const pool = new KeepAliveSockets('127.0.0.1', port, 1)
  const answers = ['header', 'json', 'chunked', 'close', 'header', 'drop', 'json']
  // All sent at once: with one socket they wait their turn, in order.
  const statuses = await Promise.all(answers.map((a, i) => new Promise<number>((resolve) => pool.send(fill(request(a), { tab: i, sentAt: Date.now(), id: i, ts: Date.now() }), resolve))))
  expect(pool.pending).toBe(0)
  pool.close()
  // 'drop': the server closed the connection without an answer: 0, counted as an error by the generator.
  expect(statuses).toEqual([204, 200, 429, 503, 204, 0, 200])
  expect(seen.map((s) => new URL(s.url, 'http://x').searchParams.get('answer'))).toEqual(answers)
  // One connection up to the server's close, a second up to the drop, a third after it.
  const first = seen[0]!.socket
  expect(seen.map((s) => s.socket - first)).toEqual([0, 0, 0, 0, 1, 1, 2])
})

it('gives the answer\'s bytes for what the ingest section reads of them: a chunked body joined, a header by name', async () => {
  const pool = new KeepAliveSockets('127.0.0.1', port, 2)
  const ask = (answer: string) => new Promise<Buffer | null>((resolve) => pool.send(fill(request(answer), { tab: 1, sentAt: Date.now(), id: 1, ts: Date.now() }), (_, raw) => resolve(raw)))
  const [chunked, json, close] = await Promise.all([ask('chunked'), ask('json'), ask('close')])
  pool.close()
  expect(JSON.parse(answerBody(chunked!))).toEqual({ error: { code: 'rate_limited', message: 'slow down' } })
  expect(JSON.parse(answerBody(json!))).toEqual({ accepted: 1 })
  expect(answerHeader(close!, 'retry-after')).toBe('7')
  expect(answerHeader(json!, 'retry-after')).toBeUndefined()
})
