import type { NextConfig } from 'next'

const nextConfig: NextConfig = {
  // chDB is a native addon: it must be required at run time, never bundled.
  serverExternalPackages: ['chdb', '@clickhouse/client'],
  poweredByHeader: false,
  reactStrictMode: true,
}

export default nextConfig
