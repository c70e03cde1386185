// Vite build helper, for vite.config.*: plugins: [..., stalewatch()] bakes the
// version (and STALEWATCH_KEY / STALEWATCH_URL) into the bundle, so the
// adapters (stalewatch/react, /vue, /svelte) need no options. buildVersion()
// is the same version for SvelteKit's `version.name`. Build side only.
import type { Plugin } from 'vite'
import { bake, defines, logBaked, type BakeOptions } from './bake'

export type { BakeOptions as StalewatchPluginOptions } from './bake'
export { buildVersion, resolveBuildVersion } from './version'

/** The Vite plugin. */
export function stalewatch(options: BakeOptions = {}): Plugin {
  return {
    name: 'stalewatch',
    config(_config, env) {
      // `vite preview` serves a build already made, with the build's variables
      // (the key among them) rightly absent: nothing to bake, nothing to say.
      if (env.isPreview) return
      const baked = bake(options)
      logBaked(baked)
      // import.meta.env.STALEWATCH_VERSION too, for the app's own code (socket URLs of stalewatch/tag-requests).
      return { define: { ...defines(baked), 'import.meta.env.STALEWATCH_VERSION': JSON.stringify(baked.version) } }
    },
  }
}
