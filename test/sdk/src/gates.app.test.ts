import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApp, type RunningApp } from '../../support/app-server'
import { envelope, heartbeat, post } from '../../support/envelopes'
import { stalewatchAdmin, type TestProject } from '../../support/stalewatch-admin'

// `stalewatch wait` and `stalewatch check` (docs/release-gates.md) as CI runs
// them: the package's bin in its own process, against the whole product over
// loopback, with the project's deploy token. Three tabs run the old build v1
// and one the registered latest v2.

const root = path.resolve(import.meta.dirname, '../../..')

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

function stalewatch(app: RunningApp, project: TestProject, args: string[], token = project.deployToken): Promise<Run> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'sdk/src/bin.ts', ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', STALEWATCH_URL: app.url, STALEWATCH_PROJECT: project.id, STALEWATCH_DEPLOY_TOKEN: token, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()))
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

let app: RunningApp
let project: TestProject
let other: TestProject
let keepAlive: NodeJS.Timeout | undefined

beforeAll(async () => {
  app = await startApp()
  const admin = stalewatchAdmin(app)
  project = await admin.createProject(`gates-${Date.now().toString(36)}`)
  other = await admin.createProject(`gates-other-${Date.now().toString(36)}`)
  await admin.release(project, 'v1')
  await admin.release(project, 'v2')
  const tabs = ['v1', 'v1', 'v1', 'v2'].map((version) => envelope(project.ingestKey, version, [heartbeat(Date.now())]))
  for (const tab of tabs) expect((await post(`${app.url}/api/ingest`, tab)).status).toBe(200)
  // The tabs beat on while the tests run, however slow the machine: they stay live.
  keepAlive = setInterval(() => {
    for (const tab of tabs) void post(`${app.url}/api/ingest`, { ...tab, sentAt: Date.now(), events: [heartbeat(Date.now())] }).catch(() => {})
  }, 20_000)
  // Figures see acknowledged events about a second later: wait until the four tabs are live.
  const deadline = Date.now() + 30_000
  for (;;) {
    const res = await fetch(`${app.url}/api/projects/${project.id}/gate`, { headers: { authorization: `Bearer ${project.deployToken}` } })
    const gate = (await res.json()) as { live: number }
    if (gate.live === 4) break
    if (Date.now() > deadline) throw new Error(`the four tabs never became live: ${JSON.stringify(gate)}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}, 300_000)

afterAll(async () => {
  clearInterval(keepAlive)
  await app?.stop()
})

describe('stalewatch check', () => {
  it('exits 1 while more tabs than allowed run builds older than the version, and says what it measured', async () => {
    const run = await stalewatch(app, project, ['check', '--below', 'v2', '--max-live', '2'])
    expect(run.code, run.stderr).toBe(1)
    expect(run.stdout).toContain('builds older than v2: 3 live tabs of 4 (75.0 %): v1 3')
    expect(run.stderr).toContain('gate closed: 3 live tabs > --max-live 2')
  })

  it('exits 0 within every limit', async () => {
    const run = await stalewatch(app, project, ['check', '--below', 'v2', '--max-live', '3', '--max-share', '80'])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain('gate open')
  })

  it('judges a share limit', async () => {
    const run = await stalewatch(app, project, ['check', '--below', 'v2', '--max-share', '50%'])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('75.0 % > --max-share 50.0 %')
  })

  it('reports backend requests as none counted when the app has no middleware', async () => {
    const run = await stalewatch(app, project, ['check', '--below', 'v2', '--max-requests', '0'])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain('no backend requests counted in the last 60 min')
  })

  it('refuses a version the project has never seen, rather than passing on nothing', async () => {
    const run = await stalewatch(app, project, ['check', '--below', 'v9', '--max-live', '0'])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('has never seen nor registered v9')
  })

  it('refuses the deploy token of another project', async () => {
    const run = await stalewatch(app, project, ['check', '--below', 'v2', '--max-live', '0'], other.deployToken)
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/401 from .*\/gate/)
  })

  it('says what is missing from its words, with exit 2', async () => {
    const run = await stalewatch(app, project, ['check', '--below', 'v2'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('check needs a limit')
  })
})

describe('stalewatch wait', () => {
  it('exits 0 once the latest release reaches the share, printing its adoption', async () => {
    const run = await stalewatch(app, project, ['wait', '--adoption', '25', '--timeout', '30s', '--every', '1s'])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain('adoption of v2: 25.0 % (1 of 4 live tabs); waiting for 25.0 %')
    expect(run.stdout).toContain('reached')
  })

  it('exits 1 at its timeout, having printed each poll', async () => {
    const run = await stalewatch(app, project, ['wait', '--adoption', '90', '--timeout', '2s', '--every', '500ms'])
    expect(run.code).toBe(1)
    expect(run.stdout.match(/adoption of v2: 25\.0 %/g)?.length ?? 0).toBeGreaterThan(1)
    expect(run.stderr).toContain('timed out after 2 s: adoption 25.0 %, wanted 90.0 %')
  })
})
