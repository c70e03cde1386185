// Next.js build helper, for next.config.ts (the counting of requests is sdk/src/server/next-counting.ts): withStalewatch(nextConfig) bakes
// the version (and STALEWATCH_KEY / STALEWATCH_URL) into the bundle, so that
// <Stalewatch /> from stalewatch/react needs no props, and sets x-app-version
// on every response the app serves. Build side only (runs when Next.js loads
// its config).
import type { NextConfig } from 'next'
import { bake, defines, logBaked, type BakeOptions } from './bake'

export type { BakeOptions as StalewatchNextOptions } from './bake'
export { buildVersion, resolveBuildVersion } from './version'

const values = (code: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(code).map(([name, literal]) => [name, JSON.parse(literal) as string]))

type Headers = Awaited<ReturnType<NonNullable<NextConfig['headers']>>>

/** The function form of next.config: Next.js calls it with the phase (build, server, dev). */
export type NextConfigFunction<C extends NextConfig = NextConfig> = (phase: string, context: { defaultConfig: NextConfig }) => C | Promise<C>

/** The app's config with what withStalewatch sets. */
export type WithStalewatch<C extends NextConfig> = C & Required<Pick<NextConfig, 'env' | 'compiler' | 'headers'>>

function withBaked<C extends NextConfig>(nextConfig: C, options: BakeOptions): WithStalewatch<C> {
  const baked = bake(options)
  const own: Headers = [{ source: '/:path*', headers: [{ key: 'x-app-version', value: baked.version }] }]
  return {
    ...nextConfig,
    // Mirrored for server code and for anyone reading process.env.
    env: { ...nextConfig.env, STALEWATCH_VERSION: baked.version },
    // Next.js takes define's values as values (it quotes them itself), not as code.
    compiler: { ...nextConfig.compiler, define: { ...nextConfig.compiler?.define, ...values(defines(baked)) } },
    headers: async () => {
      // The build log's line is said here, not when the config loads: `next
      // start` loads the config too, where the build's variables (the key
      // among them) are rightly absent, but it reads the headers from the
      // build's manifest; only `next build` and `next dev` call headers().
      logBaked(baked)
      return [...((await nextConfig.headers?.()) ?? []), ...own]
    },
  }
}

/**
 * next.config.ts: `export default withStalewatch(nextConfig)`. Outermost
 * around other wrappers (`withStalewatch(withMDX(nextConfig))`), and around a
 * function-form config, which it returns as a function.
 */
export function withStalewatch<C extends NextConfig>(nextConfig?: C, options?: BakeOptions): WithStalewatch<C>
export function withStalewatch<C extends NextConfig>(nextConfig: NextConfigFunction<C>, options?: BakeOptions): NextConfigFunction<WithStalewatch<C>>
export function withStalewatch<C extends NextConfig>(
  nextConfig: C | NextConfigFunction<C> = {} as C,
  options: BakeOptions = {},
): WithStalewatch<C> | NextConfigFunction<WithStalewatch<C>> {
  if (typeof nextConfig === 'function') return async (phase, context) => withBaked(await nextConfig(phase, context), options)
  return withBaked(nextConfig, options)
}
