import { chromium, type Browser } from 'playwright-core'

// Debian's Chromium, headless, with the background chatter that would reach
// the network (updates, sync, field trials) turned off. One per test file.

export const CHROMIUM_PATH = process.env.STALEWATCH_CHROMIUM ?? '/usr/bin/chromium'

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}
