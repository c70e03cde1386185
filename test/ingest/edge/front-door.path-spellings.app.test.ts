import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminFetch, startApp, type RunningApp } from '../../support/app-server'
import { envelope, heartbeat } from '../../support/envelopes'
import { rawErrorCode, rawRequest } from '../../support/raw-http'
import { parseExposition } from '../../support/prom-parser'

// The whole app as `npm start` runs it, with a per-address limit of 5
// requests (refilling one per 1000 s, so nothing refills during the test).
// Every spelling of the ingest path must meet that limit, or be refused:
// none may reach the pipeline around it.

const BURST = 5
let app: RunningApp
let key: string

beforeAll(async () => {
  app = await startApp({
    STALEWATCH_RATE_PER_IP: '0.001',
    STALEWATCH_BURST_PER_IP: String(BURST),
    STALEWATCH_RATE_LIMIT_LOOPBACK: '1',
    STALEWATCH_INGEST_ACK: 'logged',
  })
  const created = await adminFetch(app, '/api/projects', { method: 'POST', body: JSON.stringify({ name: 'front-door' }) })
  key = ((await created.json()) as { ingestKey: string }).ingestKey
})

afterAll(async () => {
  await app?.stop()
})

const VARIANTS = [
  '/api/./ingest',
  '/./api/ingest',
  '/api/x/../ingest',
  '/api/x/y/../../ingest',
  '/api/%2e/ingest',
  '/api/x/%2e%2e/ingest',
  '/api/x/%2E%2E/ingest',
  '/api/%69ngest',
  '/api/in%67est',
  '/%61pi/ingest',
  '/api%2Fingest',
  '/api/ingest%2F',
  '/api/%252e/ingest',
  '//api/ingest',
  '/api//ingest',
  '/api/ingest/',
  '/api/ingest//',
  '/api/ingest/.',
  '/api/ingest/?x=1',
  '/API/INGEST',
  '/api/Ingest',
  '/api/ingest;x',
  '/api/ingest%00',
  '/api/ingest#x',
  '/api/ingest?x=1',
  'http://localhost/api/ingest',
]

describe('one front door for ingest', () => {
  it('gives every spelling of /api/ingest the same per-address limit, or refuses it', async () => {
    const sendFrom = async (path: string, localAddress: string) => {
      const answers = []
      for (let i = 0; i < 12; i++) {
        answers.push(
          await rawRequest({
            url: app.url,
            path,
            method: 'POST',
            localAddress,
            headers: { 'content-type': 'text/plain' },
            body: JSON.stringify(envelope(key, 'v1', [heartbeat(Date.now())])),
          }),
        )
      }
      return answers
    }
    // Each spelling from its own loopback address, so each has its own bucket.
    const plain = await sendFrom('/api/ingest', '127.0.0.2')
    expect(plain.map((a) => a.status)).toEqual([...Array(BURST).fill(200), ...Array(12 - BURST).fill(429)])
    expect(plain.at(-1)!.headers['retry-after']).toMatch(/^\d+$/)

    const seen: Record<string, string> = {}
    let address = 3
    for (const path of VARIANTS) {
      const answers = await sendFrom(path, `127.0.0.${address++}`)
      const accepted = answers.filter((a) => a.status === 200 || a.status === 204).length
      seen[path] = `${accepted} accepted; statuses ${[...new Set(answers.map((a) => a.status))].join('/')}`
      // Served through the front door (exactly the burst), or refused (none).
      expect([0, BURST], `${path}: ${seen[path]}`).toContain(accepted)
      for (const a of answers.filter((a) => a.status >= 500)) expect.fail(`${path} answered ${a.status}: ${a.body.slice(0, 200)}`)
    }
    console.log(Object.entries(seen).map(([path, what]) => `${path}: ${what}`).join('\n'))
  })

  it('counts a client-aborted ingest request in /api/metrics and logs nothing at error level for it', async () => {
    const before = app.output().split('\n').filter((l) => l.includes('"level":"error"')).length
    const port = Number(new URL(app.url).port)
    const ABORTS = 1000
    const abortOne = () =>
      new Promise<void>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          // A declared body of 1000 bytes, 20 of them sent, then the client goes away.
          socket.write(`POST /api/ingest HTTP/1.1\r\nhost: x\r\ncontent-type: text/plain\r\ncontent-length: 1000\r\n\r\n{"key":"${key.slice(0, 10)}`)
          setTimeout(() => socket.destroy(), 5)
        })
        socket.on('close', () => resolve())
        socket.on('error', () => resolve())
      })
    for (let i = 0; i < ABORTS; i += 50) await Promise.all(Array.from({ length: 50 }, abortOne))

    const aborts = async () => {
      const text = await (await adminFetch(app, '/api/metrics')).text()
      return parseExposition(text).get('stalewatch_ingest_client_aborts_total')?.samples[0]?.value ?? null
    }
    const deadline = Date.now() + 15_000
    let counted = await aborts()
    while (counted !== ABORTS && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200))
      counted = await aborts()
    }
    const errorLines = app.output().split('\n').filter((l) => l.includes('"level":"error"'))
    expect(errorLines.length - before, errorLines.slice(0, 3).join('\n')).toBe(0)
    expect(counted).toBe(ABORTS)
  })

  it('answers a path or query string with broken percent-encoding with a 4xx, not a 500', async () => {
    for (const path of ['/releases/%E0%A4%A', '/api/stats/live?project=%E0%A4%A', '/api/projects/%E0%A4%A/min-supported', '/api/ingest?key=%E0%A4%A', '/%', '/api/stats/chart/%zz?project=x']) {
      const answer = await rawRequest({ url: app.url, path, headers: { authorization: `Bearer ${app.adminToken}` } })
      expect(answer.status, `${path}: ${answer.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400)
      expect(answer.status, `${path}: ${answer.body.slice(0, 200)}`).toBeLessThan(500)
      if (path.startsWith('/api/')) expect(typeof rawErrorCode(answer), path).toBe('string')
    }
    expect(app.output()).not.toMatch(/"level":"error".*URI malformed/)
  })
})
