import { describe, expect, it } from 'vitest'
import { handleIngest } from '@/ingest/events/pipeline'
import { closeIngest, ingestRuntime } from '@/ingest/events/runtime'
import { ingestErrors } from '@/lib/rollout/ingest-signal'
import { testProject, useEngine } from '../../support/engine'
import { envelope, heartbeat } from '../../support/envelopes'
import { ingestRequest } from '../../support/ingest-requests'

// While the server stops, ingest answers 503 `shutting_down` for a few
// seconds (server.ts closes the ingest before the background jobs). Those
// answers are the server's own choice, not a sign that the backend fails:
// the reload wave's guard, still running until the jobs stop, must not count
// them and pause the wave, which would then stay paused after the restart.

useEngine()

describe('the ingest runtime while the server stops', () => {
  it('answers shutting_down without counting it among the 5xx the wave guard pauses on', async () => {
    const project = await testProject('stopping')
    const { deps } = ingestRuntime()
    const send = () => handleIngest(ingestRequest(envelope(project.ingestKey, 'v1', [heartbeat(Date.now())])), deps)

    expect((await send()).status).toBe(200)
    const before = ingestErrors(60)
    await closeIngest()
    const answers = [await send(), await send(), await send()]
    expect(answers.map((a) => [a.status, (a.body as { error?: { code: string } }).error?.code])).toEqual([
      [503, 'shutting_down'],
      [503, 'shutting_down'],
      [503, 'shutting_down'],
    ])
    const after = ingestErrors(60)
    expect(after.errors - before.errors).toBe(0)
  })
})
