import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ingestCause } from '@/lib/rollout/guard'
import { ingestErrors } from '@/lib/rollout/ingest-signal'
import { testProject, useEngine } from '../../support/engine'
import { envelope, heartbeat, uid } from '../../support/envelopes'
import { useIngestServer } from '../../support/ingest-server'

// The guard's signals against floods from outside, over real sockets on
// loopback through the real runtime (X-Forwarded-For from a trusted proxy
// gives each sender its own address).

const faultDir = mkdtempSync(path.join(tmpdir(), 'stalewatch-guard-fault-'))
const faultFile = path.join(faultDir, 'fault')
process.env.STALEWATCH_FAULT_FILE = faultFile
// The product's default acknowledgement, once in the ingest log: a full disk answers 503 at once.
process.env.STALEWATCH_INGEST_ACK = 'logged'
process.env.STALEWATCH_TRUST_PROXY = '1'
useEngine()

const server = useIngestServer()
afterAll(() => rmSync(faultDir, { recursive: true, force: true }))

async function post(body: unknown, address: string): Promise<number> {
  const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: JSON.stringify(body) })
  await response.arrayBuffer()
  return response.status
}

describe('the ingest-error signal', () => {
  it('floods do not hide real 503s: unauthenticated answers do not count, and one address counts at most 10 answers a second', async () => {
    const project = await testProject('guard-keyless')
    // The disk fills: real tabs' requests are answered 503.
    writeFileSync(faultFile, 'disk-full')
    const real = await Promise.all(Array.from({ length: 12 }, (_, i) => post(envelope(project.ingestKey, 'v1', [heartbeat(Date.now(), 'hidden')]), `198.51.100.${i + 1}`)))
    expect(real.every((s) => s === 503), `real tabs answered ${real.join(', ')}`).toBe(true)
    rmSync(faultFile, { force: true })
    // 300 requests without a key, from one address: 401, then 429 past its rate.
    const keyless: number[] = []
    for (let i = 0; i < 300; i += 30) {
      keyless.push(...(await Promise.all(Array.from({ length: 30 }, () => post({ session: uid('s'), load: uid('l'), version: 'v1', sentAt: Date.now(), events: [heartbeat(Date.now())] }, '203.0.113.50')))))
    }
    expect(keyless.filter((s) => s !== 401 && s !== 429)).toEqual([])
    expect(keyless).toContain(401)
    const cause = ingestCause(ingestErrors(60), 60, false)
    expect(cause, `the share seen: ${JSON.stringify(ingestErrors(60))}`).toMatchObject({ cause: 'ingest_errors', summary: expect.stringContaining('12 of 12') })

    // Someone with the key sends 300 valid requests from one address: 200s, of which the guard counts 10 a second.
    const valid: number[] = []
    for (let i = 0; i < 300; i += 30) {
      valid.push(...(await Promise.all(Array.from({ length: 30 }, () => post(envelope(project.ingestKey, 'v1', [heartbeat(Date.now())]), '203.0.113.51')))))
    }
    expect(valid.filter((s) => s === 200).length).toBeGreaterThan(150)
    const seen = ingestErrors(60)
    expect(ingestCause(seen, 60, false), `the share seen: ${JSON.stringify(seen)}`).toMatchObject({ cause: 'ingest_errors' })
  })
})
