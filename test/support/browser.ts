import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'

// Debian's Chromium, headless, with the background chatter that would reach
// the network (updates, sync, field trials) turned off. One per test file.

export const CHROMIUM_PATH = process.env.STALEWATCH_CHROMIUM ?? '/usr/bin/chromium'

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

/**
 * Headless Chromium never hides a page (new tabs and minimised windows leave
 * visibilityState 'visible'), so this does what the browser does on a tab
 * switch: change document.visibilityState and fire visibilitychange. The SDK's
 * own listeners then run unchanged.
 */
export async function setVisibility(page: Page, state: 'visible' | 'hidden'): Promise<void> {
  await page.evaluate((s) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s })
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => s === 'hidden' })
    document.dispatchEvent(new Event('visibilitychange'))
  }, state)
}

/** Logs a tab into the app's dashboard with the admin token, as a person would. */
export async function logInWithToken(page: Page, app: { url: string; adminToken: string }): Promise<void> {
  await page.goto(new URL('/login', app.url).href)
  await page.locator('#token').fill(app.adminToken)
  await page.getByRole('button', { name: 'Log in with token' }).click()
  await page.waitForURL((url) => !url.pathname.startsWith('/login'))
}

export interface UnemulatedChromium {
  browser: Browser
  /** The browser's own default context, where Playwright applies no emulation. */
  context: BrowserContext
  close: () => Promise<void>
}

/**
 * Chromium whose pages can really be hidden and frozen. Playwright turns on
 * focus emulation in every page it creates, and that keeps the page visible
 * (Chromium counts it as being captured), which makes the DevTools command
 * Page.setWebLifecycleState 'frozen' a no-op. Connecting over CDP with
 * noDefaults leaves the default context's pages alone, so the browser started
 * here is driven through that context.
 */
export async function launchUnemulatedChromium(): Promise<UnemulatedChromium> {
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'stalewatch-chromium-'))
  const child = spawn(
    CHROMIUM_PATH,
    ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
      '--remote-debugging-port=0', `--user-data-dir=${userDataDir}`, 'about:blank'],
    // Its own process group, so close can stop its helper processes too:
    // they outlive the main one for a moment and keep writing the profile.
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  )
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  // Playwright does not own this browser: never leave it behind this process,
  // even when the test fails before it gets the handle to close it.
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal)
    } catch {
      // Already gone.
    }
  }
  const killOnExit = () => killGroup('SIGKILL')
  process.once('exit', killOnExit)
  const endpoint = await new Promise<string>((resolve, reject) => {
    let stderr = ''
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(stderr)
      if (match) resolve(match[1]!)
    })
    child.once('exit', (code) => reject(new Error(`chromium exited with ${code} before listening:\n${stderr}`)))
  })
  const browser = await chromium.connectOverCDP(endpoint, { noDefaults: true })
  return {
    browser,
    context: browser.contexts()[0]!,
    close: async () => {
      await browser.close()
      killGroup('SIGTERM')
      await exited
      killGroup('SIGKILL')
      process.removeListener('exit', killOnExit)
      // A temp profile left behind is not a test failure.
      try {
        rmSync(userDataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 })
      } catch {
        // Removed with the rest of the temp directory.
      }
    },
  }
}
