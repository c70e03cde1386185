// Nuxt module, for nuxt.config.ts: modules: ['stalewatch/nuxt'] bakes the
// version (and STALEWATCH_KEY / STALEWATCH_URL) into the client bundle and
// adds the client plugin (nuxt-client.ts), which starts the SDK in the
// browser. The version is Nuxt's build id too: the module sets buildId to it,
// so the app manifest Nuxt polls (builds/latest.json) names the same string
// as the tabs and the CLI. With no version variable and no git checkout, Nuxt's
// own build id is the version instead. Options: `stalewatch: { … }` in
// nuxt.config, or inline. Build side only: imports nothing from Nuxt, whose
// module contract (a function with getMeta) it meets by shape.
import { bake, defines, logBaked, type BakeOptions } from './bake'

export type { BakeOptions as StalewatchNuxtOptions } from './bake'

/** What this module uses of the Nuxt instance. */
interface Nuxt {
  options: {
    buildId: string
    _prepare?: boolean
    runtimeConfig: { app: { buildId?: string } }
    vite: { define?: Record<string, string> }
    plugins: (string | { src: string; mode?: 'client' | 'server' | 'all' })[]
  }
}

/** The client plugin, beside this file in dist/. */
const PLUGIN = new URL('./nuxt-client.mjs', import.meta.url)

/** The module: `modules: ['stalewatch/nuxt']`. */
function stalewatchNuxt(options: BakeOptions = {}, nuxt: Nuxt): void {
  const found = bake(options)
  const baked = found.source == 'none' ? { ...found, version: nuxt.options.buildId, source: 'Nuxt\'s build id' } : found
  nuxt.options.buildId = nuxt.options.runtimeConfig.app.buildId = baked.version
  // `nuxt prepare` (run after install) builds nothing.
  if (!nuxt.options._prepare) logBaked(baked)
  nuxt.options.vite.define = { ...nuxt.options.vite.define, ...defines(baked) }
  nuxt.options.plugins.push({ src: decodeURIComponent(PLUGIN.pathname), mode: 'client' })
}
stalewatchNuxt.getMeta = () => ({ name: 'stalewatch', configKey: 'stalewatch' })

export default stalewatchNuxt
