// Astro integration, for astro.config.mjs: integrations: [stalewatch()] bakes
// the version (and STALEWATCH_KEY / STALEWATCH_URL) into the client bundle and
// injects the client (astro-client.ts: the SDK, automatic reloads, chunk
// watching and the prompt) on every page, which starts it in the browser.
// Every page also names its build in one inline line of its <head>, so that
// a view transition (<ClientRouter />) to a page of another build becomes a
// full page load (astro-client.ts). Build side only: imports nothing from
// Astro, whose integration contract it meets by shape.
import { bake, defines, logBaked, type BakeOptions } from './bake'
import { pageVersionLine } from './astro-page'

export type { BakeOptions as StalewatchAstroOptions } from './bake'
export { buildVersion } from './version'

/** What this integration uses of astro:config:setup's argument. */
interface SetupArgs {
  command: 'dev' | 'build' | 'preview' | 'sync'
  updateConfig(config: { vite: { define: Record<string, string> } }): unknown
  injectScript(stage: 'page' | 'head-inline', content: string): void
}

/** An Astro integration. */
export interface StalewatchIntegration {
  name: 'stalewatch'
  hooks: { 'astro:config:setup': (args: SetupArgs) => void }
}

/** The integration: `integrations: [stalewatch()]`. */
export function stalewatch(options: BakeOptions = {}): StalewatchIntegration {
  return {
    name: 'stalewatch',
    hooks: {
      'astro:config:setup': ({ command, updateConfig, injectScript }) => {
        // `astro preview` serves a build already made, with the build's variables rightly absent.
        if (command == 'preview') return
        const baked = bake(options)
        if (command != 'sync') logBaked(baked)
        updateConfig({ vite: { define: defines(baked) } })
        injectScript('head-inline', pageVersionLine(baked.version))
        injectScript('page', `import { startAstro } from 'stalewatch/astro-client'; startAstro()`)
      },
    },
  }
}
