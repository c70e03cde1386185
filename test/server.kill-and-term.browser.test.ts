import { describe, expect, it } from 'vitest'
import { resetConfigCache } from '@/lib/config'
import { runQuery } from '@/lib/store/run-query'
import { table } from '@/lib/store/tables'
import { adminFetch, startApp, type RunningApp } from './support/app-server'
import { driveLoad, killHard, settle } from './support/app-load'
import { launchChromium } from './support/browser'

// The whole product in a child process, as `npm start` runs it: security
// headers and the login flow, then SIGKILL and SIGTERM under load.

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
        await tab.getByRole('button', { name: 'Log out', exact: true }).waitFor()
        expect(problems.filter((p) => /Content Security Policy|Refused to/i.test(p))).toEqual([])
        await Promise.all([tab.waitForURL(`${second.url}/login`), tab.getByRole('button', { name: 'Log out', exact: true }).click()])
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
