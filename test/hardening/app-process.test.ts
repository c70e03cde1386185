import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { resetConfigCache } from '@/lib/config'
import { runQuery } from '@/lib/store/run-query'
import { table } from '@/lib/store/tables'
import { adminFetch, startApp, type RunningApp } from '../support/app-server'
import { launchChromium } from '../support/browser'
import { envelope, heartbeat } from '../support/envelopes'

// The whole product in a child process, as `npm start` runs it: security
// headers and the login flow, then SIGKILL and SIGTERM under load.

interface Load {
  acknowledged: Set<string>
  stop: () => Promise<void>
}

/** Concurrent senders of 20-event batches; an event counts as acknowledged only when its request got a 200. */
function driveLoad(app: RunningApp, key: string, senders = 6): Load {
  const acknowledged = new Set<string>()
  let running = true
  const loops = Array.from({ length: senders }, async () => {
    while (running) {
      const now = Date.now()
      const batch = envelope(key, 'v1', Array.from({ length: 20 }, () => heartbeat(now)))
      try {
        const response = await fetch(`${app.url}/api/ingest`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(batch) })
        await response.arrayBuffer()
        if (response.status === 200) for (const e of batch.events) acknowledged.add(e.id)
      } catch {
        // The server went away mid-request: not acknowledged.
        await new Promise((r) => setTimeout(r, 20))
      }
    }
  })
  return {
    acknowledged,
    stop: async () => {
      running = false
      await Promise.all(loops)
    },
  }
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The pids of a process and all its descendants, from /proc (tsx runs the server in a child of the process startApp spawned). */
function processTree(root: number): number[] {
  const parents = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)])
    } catch {
      // The process ended while we looked.
    }
  }
  const tree = [root]
  for (let i = 0; i < tree.length; i++) tree.push(...(parents.get(tree[i]!) ?? []))
  return tree
}

/** SIGKILL the server itself (not only its tsx launcher), as a crash or the OOM killer would. */
async function killHard(app: RunningApp): Promise<void> {
  const pids = processTree(app.process.pid!)
  for (const pid of pids.reverse()) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
  await app.stop()
}

function cookieValue(setCookie: string[], name: string): string | undefined {
  for (const c of setCookie) {
    const match = new RegExp(`^${name}=([^;]*)`).exec(c)
    if (match) return match[1]
  }
  return undefined
}

describe('the app process', () => {
  it('keeps every acknowledged event through SIGKILL and SIGTERM, and serves pages with security headers and a CSRF-checked login', async () => {
    const first = await startApp()
    const dataDir = first.dataDir
    let second: RunningApp | undefined
    try {
      // First run: no password yet, the login page says how to set one.
      const login = await fetch(`${first.url}/login`)
      expect(login.status).toBe(200)
      const html = await login.text()
      expect(html).toContain('npm run set-password')
      expect(login.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/)
      expect(login.headers.get('content-security-policy')).toMatch(/script-src 'self' 'nonce-/)
      expect(login.headers.get('x-content-type-options')).toBe('nosniff')
      expect(login.headers.get('referrer-policy')).toBe('same-origin')
      expect(login.headers.get('x-frame-options')).toBe('DENY')
      expect(cookieValue(login.headers.getSetCookie(), 'sw_csrf')).toMatch(/^[\w-]{32,}$/)

      const created = (await (await adminFetch(first, '/api/projects', { method: 'POST', body: JSON.stringify({ name: 'kill' }) })).json()) as {
        id: string
        ingestKey: string
      }
      const load = driveLoad(first, created.ingestKey)
      await settle(2500)
      await killHard(first)
      await load.stop()
      expect(load.acknowledged.size).toBeGreaterThan(0)

      // Restart on the same data directory, with a password set this time.
      second = await startApp({ STALEWATCH_DATA_DIR: dataDir, STALEWATCH_ADMIN_PASSWORD: 'a strong dashboard password' })
      const page = await fetch(`${second.url}/login`)
      const pageHtml = await page.text()
      const csrf = cookieValue(page.headers.getSetCookie(), 'sw_csrf')!
      expect(pageHtml).toContain(`name="csrf" value="${csrf}"`)
      const post = (fields: Record<string, string>) =>
        fetch(`${second!.url}/api/auth/login`, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie: `sw_csrf=${csrf}`, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(fields),
        })
      expect((await post({ password: 'a strong dashboard password' })).headers.get('location')).toMatch(/error=csrf/)
      const ok = await post({ password: 'a strong dashboard password', csrf })
      expect(ok.status).toBe(303)
      const session = cookieValue(ok.headers.getSetCookie(), 'sw_session')!
      const dashboard = await fetch(`${second.url}/`, { redirect: 'manual', headers: { cookie: `sw_session=${session}` } })
      expect(dashboard.status).toBe(200)

      // The same in Chromium: the nonce CSP must not block the pages' own scripts.
      const browser = await launchChromium()
      try {
        const tab = await browser.newPage()
        const problems: string[] = []
        tab.on('console', (m) => {
          if (m.type() === 'error') problems.push(m.text())
        })
        tab.on('pageerror', (e) => problems.push(String(e)))
        await tab.goto(`${second.url}/login`)
        await tab.fill('#password', 'a strong dashboard password')
        await Promise.all([tab.waitForURL(`${second.url}/`), tab.click('form:has(#password) button[type=submit]')])
        await tab.getByRole('button', { name: 'Log out' }).waitFor()
        expect(problems.filter((p) => /Content Security Policy|Refused to/i.test(p))).toEqual([])
        await Promise.all([tab.waitForURL(`${second.url}/login`), tab.getByRole('button', { name: 'Log out' }).click()])
        await tab.goto(`${second.url}/`)
        expect(new URL(tab.url()).pathname).toBe('/login')
      } finally {
        await browser.close()
      }

      // SIGTERM under load: stop accepting, store what was acknowledged, exit 0.
      const load2 = driveLoad(second, created.ingestKey)
      await settle(2000)
      const code = await second.stop('SIGTERM')
      await load2.stop()
      expect(code).toBe(0)
      expect(load2.acknowledged.size).toBeGreaterThan(0)

      // Both servers are gone: read the data directory from this process.
      process.env.STALEWATCH_DATA_DIR = dataDir
      resetConfigCache()
      const rows = await runQuery<{ event_id: string }>('test.storedIds', `SELECT DISTINCT event_id FROM ${table('events')} WHERE project_id = {p:String}`, {
        p: created.id,
      })
      const stored = new Set(rows.map((r) => r.event_id))
      const lost = [...load.acknowledged, ...load2.acknowledged].filter((id) => !stored.has(id))
      expect(lost).toEqual([])
    } finally {
      await killHard(first)
      if (second) await killHard(second)
    }
  }, 240_000)
})
