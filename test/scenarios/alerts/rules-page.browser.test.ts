import { createHmac } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { adminFetch, startApp, type RunningApp } from '../../support/app-server'
import { launchChromium, logInWithToken } from '../../support/browser'

// The alerts page in Chromium against the whole app: a rule created with the
// form is the one the API lists, its test notification reaches a real
// receiver signed with the secret the page showed once, a bad condition is
// named, and deleting it removes it from page and API.

const artifacts = path.resolve(import.meta.dirname, '../../artifacts')
let app: RunningApp
let browser: Browser
let page: Page
let projectId: string
let receiver: http.Server
let receiverUrl: string
const received: { headers: http.IncomingHttpHeaders; body: string }[] = []

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      received.push({ headers: req.headers, body })
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`
  ;[app, browser] = await Promise.all([startApp({ STALEWATCH_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32' }), launchChromium()])
  const created = await adminFetch(app, '/api/projects', { method: 'POST', body: JSON.stringify({ name: 'alerting' }) })
  projectId = ((await created.json()) as { id: string }).id
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  await logInWithToken(page, app)
}, 600_000)

afterAll(async () => {
  await browser?.close()
  await app?.stop()
  await new Promise((resolve) => receiver?.close(resolve))
})

interface ListedRule {
  id: string
  name: string
  condition: { kind: string; thresholdPercent?: number }
  destinations: { kind: string; url: string }[]
}

async function listedRules(): Promise<ListedRule[]> {
  const res = await adminFetch(app, `/api/alerts/rules?project=${projectId}`)
  expect(res.status).toBe(200)
  const body = (await res.json()) as { rules: ListedRule[] } | ListedRule[]
  return Array.isArray(body) ? body : body.rules
}

describe('alerts page', () => {
  it('creates a rule with the form, sends a signed test notification, names a bad condition, and deletes the rule', async () => {
    await page.goto(new URL(`/alerts?project=${projectId}`, app.url).href)
    await page.getByText('No rules yet.').waitFor()

    // A condition that is not JSON is named, and nothing is created.
    await page.getByLabel('Name').fill('Stale share after release')
    await page.getByLabel('Condition (JSON)').fill('{ not json')
    await page.locator('input[type=url]').fill(receiverUrl)
    await page.getByRole('button', { name: 'Create rule' }).click()
    expect(await page.locator('form [role=alert]').innerText()).toMatch(/condition/)
    expect(await listedRules()).toEqual([])

    await page.getByLabel('Condition (JSON)').fill(JSON.stringify({ thresholdPercent: 25, forMinutes: 10, graceMinutes: 60 }))
    await page.getByRole('button', { name: 'Create rule' }).click()
    const secret = (await page.locator('form code').innerText()).trim()
    expect(secret.length).toBeGreaterThan(16)

    const rules = await listedRules()
    expect(rules).toHaveLength(1)
    expect(rules[0]).toMatchObject({ name: 'Stale share after release', condition: { kind: 'stale_share', thresholdPercent: 25 }, destinations: [{ kind: 'webhook', url: receiverUrl }] })
    const row = page.locator(`tr[data-rule="${rules[0]!.id}"]`)
    await row.waitFor()
    expect(await row.innerText()).toContain('Stale share after release')
    expect(await row.innerText()).toContain('webhook 127.0.0.1')

    await row.getByRole('button', { name: 'Send test' }).click()
    await row.getByText('webhook: delivered').waitFor()
    await vi.waitFor(() => expect(received).toHaveLength(1))
    const delivery = received[0]!
    const expected = `sha256=${createHmac('sha256', secret).update(delivery.body).digest('hex')}`
    expect(delivery.headers['x-stalewatch-signature']).toBe(expected)

    mkdirSync(artifacts, { recursive: true })
    await page.screenshot({ path: path.join(artifacts, 'dashboard-alerts.png'), fullPage: true })

    page.once('dialog', (dialog) => void dialog.accept())
    await row.getByRole('button', { name: 'Delete' }).click()
    await page.getByText('No rules yet.').waitFor()
    expect(await listedRules()).toEqual([])
  })
})
