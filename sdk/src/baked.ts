// In the browser: what the build helper (next.ts's withStalewatch, vite.ts's
// plugin) baked into the bundle as compile-time constants. Without a helper
// the constants do not exist and every value is undefined.
import type { Options } from './types'

declare const __STALEWATCH_VERSION__: string
declare const __STALEWATCH_KEY__: string
declare const __STALEWATCH_ENDPOINT__: string

// Each constant is read as a bare identifier, which the bundler replaces with
// a string literal; typeof guards the build made without a helper.
export const baked = (): Partial<Options> => ({
  version: (typeof __STALEWATCH_VERSION__ == 'string' && __STALEWATCH_VERSION__) || undefined,
  key: (typeof __STALEWATCH_KEY__ == 'string' && __STALEWATCH_KEY__) || undefined,
  endpoint: (typeof __STALEWATCH_ENDPOINT__ == 'string' && __STALEWATCH_ENDPOINT__) || undefined,
})
