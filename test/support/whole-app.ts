import type { Browser } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { startApp, type RunningApp } from './app-server'
import { launchChromium } from './browser'
import { sdkAssets, type Asset } from './customer-app'
import { stalewatchAdmin } from './stalewatch-admin'

// The whole app and Chromium for the browser tests of one file: started
// before its tests, stopped after them, with whatever each test registered
// in `closers` (its contexts, customer apps, relays) closed first.

export interface WholeApp {
  app: RunningApp
  browser: Browser
  /** The SDK's ESM build as customer-app assets (customer-app.ts sdkAssets). */
  sdk: Record<string, Asset>
  admin: ReturnType<typeof stalewatchAdmin>
  closers: (() => Promise<unknown>)[]
}

export function useWholeApp(env: Record<string, string> = {}): WholeApp {
  const whole = { closers: [] as (() => Promise<unknown>)[] } as WholeApp
  beforeAll(async () => {
    ;[whole.app, whole.browser, whole.sdk] = await Promise.all([startApp(env), launchChromium(), sdkAssets()])
    whole.admin = stalewatchAdmin(whole.app)
  }, 600_000)
  afterAll(async () => {
    await whole.browser?.close()
    for (const close of whole.closers) await close()
    await whole.app?.stop()
  })
  return whole
}
