import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApp, type RunningApp } from './support/app-server'
import { rawRequest } from './support/raw-http'

// Requests anybody can send without a credential, which once cost the server
// a stack trace in its log each: a POST whose client goes away mid-body, and
// `OPTIONS *` (the server-wide form of OPTIONS, which names no path). The
// whole app as `npm start` runs it (log level warn, as in production).

let app: RunningApp
let port: number

beforeAll(async () => {
  app = await startApp()
  port = Number(new URL(app.url).port)
})

afterAll(async () => {
  await app?.stop()
})

const linesSince = (before: number) => app.output().split('\n').slice(before - 1).filter((l) => l.trim() !== '')
const lineCount = () => app.output().split('\n').length

function abortedPost(path: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      // 1000 bytes declared, 20 sent, then the client goes away.
      socket.write(`POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"project":"abcdefg`)
      setTimeout(() => socket.destroy(), 50)
    })
    socket.on('close', () => resolve())
    socket.on('error', () => resolve())
  })
}

describe('stray requests', () => {
  it('writes nothing to the log for POSTs to Next.js routes whose client goes away mid-body', async () => {
    const before = lineCount()
    for (let i = 0; i < 10; i++) await Promise.all([abortedPost('/api/releases'), abortedPost('/api/auth/login')])
    // Let whatever the server would print about them arrive.
    await new Promise((r) => setTimeout(r, 2000))
    const written = linesSince(before)
    expect(written, written.slice(0, 8).join('\n')).toEqual([])
    // The server still answers.
    expect((await rawRequest({ url: app.url, path: '/login' })).status).toBe(200)
  }, 60_000)

  it('answers OPTIONS * with a clean 204, with nothing in the log', async () => {
    const before = lineCount()
    const answer = await rawRequest({ url: app.url, path: '*', method: 'OPTIONS' })
    await new Promise((r) => setTimeout(r, 500))
    expect(answer.status, answer.body.slice(0, 200)).toBe(204)
    expect(answer.headers.allow).toMatch(/OPTIONS/)
    const written = linesSince(before)
    expect(written, written.slice(0, 8).join('\n')).toEqual([])
  })
})
