import type { NextConfig } from 'next'

const nextConfig: NextConfig = {
  // chDB is a native addon: it must be required at run time, never bundled.
  serverExternalPackages: ['chdb', '@clickhouse/client'],
  // Lets parallel builds (several worktrees' test runs) keep apart; default .next.
  distDir: process.env.STALEWATCH_NEXT_DIST_DIR || '.next',
  poweredByHeader: false,
  reactStrictMode: true,
}

export default nextConfig
