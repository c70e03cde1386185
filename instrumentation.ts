import { registerOTel } from '@vercel/otel'

// Tracing for every request and for the spans lib/tracing.ts opens around
// ingest stages and ClickHouse queries, exported by the standard
// OTEL_EXPORTER_OTLP_* variables (lib/config.ts lists the ones read here).
// With no endpoint set nothing is registered, so the API's no-op tracer runs:
// @vercel/otel would otherwise export every span to localhost:4318, which
// cost the ingest path over half its CPU (measured with --cpu-prof under
// `npm run bench`). NEXT_RUNTIME and NEXT_PHASE are set by Next.js itself.
export async function register(): Promise<void> {
  // `next build` loads this too: it needs no configured machine.
  if (process.env.NEXT_RUNTIME !== 'nodejs' || process.env.NEXT_PHASE === 'phase-production-build') return
  const { config } = await import('./lib/config')
  const c = config()
  if (c.otlpEndpoint || c.otlpTracesEndpoint) registerOTel({ serviceName: c.serviceName })
  if (!c.skipStartup) {
    const { onServerStart } = await import('./lib/server-start')
    await onServerStart()
  }
}
