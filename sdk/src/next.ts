// Next.js build helper, for next.config.ts: withStalewatch(nextConfig) bakes
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

/** next.config.ts: `export default withStalewatch(nextConfig)`. */
export function withStalewatch<C extends NextConfig>(nextConfig: C = {} as C, options: BakeOptions = {}): C {
  const baked = bake(options)
  logBaked(baked)
  const own: Headers = [{ source: '/:path*', headers: [{ key: 'x-app-version', value: baked.version }] }]
  return {
    ...nextConfig,
    // Mirrored for server code and for anyone reading process.env.
    env: { ...nextConfig.env, STALEWATCH_VERSION: baked.version },
    // Next.js takes define's values as values (it quotes them itself), not as code.
    compiler: { ...nextConfig.compiler, define: { ...nextConfig.compiler?.define, ...values(defines(baked)) } },
    headers: async () => [...((await nextConfig.headers?.()) ?? []), ...own],
  }
}
