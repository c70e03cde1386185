import type { NextConfig } from 'next'

const nextConfig: NextConfig = {
  // chDB is a native addon: it must be required at run time, never bundled.
  serverExternalPackages: ['chdb', '@clickhouse/client'],
  // Lets parallel builds (several worktrees' test runs) keep apart; default .next.
  // This file is loaded by Next.js's own loader, so it reads its two build
  // settings itself (both listed in lib/config.ts).
  distDir: process.env.STALEWATCH_NEXT_DIST_DIR || '.next',
  // The bench's own build adds its baseline route (app/api/bench-baseline/route.bench.ts).
  pageExtensions: process.env.STALEWATCH_BENCH_ROUTES === '1' ? ['bench.ts', 'tsx', 'ts', 'jsx', 'js'] : ['tsx', 'ts', 'jsx', 'js'],
  poweredByHeader: false,
  async headers() {
    // The SDK is fetched by every page load of every watched app: let
    // browsers and CDNs keep it for a day and revalidate in the background.
    // Its reload rules are imported by it (a module: CORS) only once a reload
    // can matter, and always revalidated, so that a sdk.js never meets rules
    // older than itself.
    return [
      { source: '/sdk.js', headers: [{ key: 'cache-control', value: 'public, max-age=86400, stale-while-revalidate=604800' }] },
      {
        source: '/stalewatch-reloads.js',
        headers: [
          { key: 'cache-control', value: 'public, no-cache' },
          { key: 'access-control-allow-origin', value: '*' },
        ],
      },
    ]
  },
  reactStrictMode: true,
}

export default nextConfig
