import { chromium, type Browser, type Page } from 'playwright-core'

// Debian's Chromium, headless, with the background chatter that would reach
// the network (updates, sync, field trials) turned off. One per test file.

export const CHROMIUM_PATH = process.env.STALEWATCH_CHROMIUM ?? '/usr/bin/chromium'

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

/** Logs a tab into the app's dashboard with the admin token, as a person would. */
export async function logInWithToken(page: Page, app: { url: string; adminToken: string }): Promise<void> {
  await page.goto(new URL('/login', app.url).href)
  await page.locator('#token').fill(app.adminToken)
  await page.getByRole('button', { name: 'Log in with token' }).click()
  await page.waitForURL((url) => !url.pathname.startsWith('/login'))
}
