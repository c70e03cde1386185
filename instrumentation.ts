import { registerOTel } from '@vercel/otel'

// Tracing for every request and for the spans lib/tracing.ts opens around
// ingest stages and ClickHouse queries, exported by the standard
// OTEL_EXPORTER_OTLP_* variables. With no endpoint set nothing is registered,
// so the API's no-op tracer runs: @vercel/otel would otherwise export every
// span to localhost:4318, which cost the ingest path over half its CPU
// (measured with --cpu-prof under `npm run bench`).
export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
}

export async function register(): Promise<void> {
  if (tracingConfigured()) registerOTel({ serviceName: process.env.OTEL_SERVICE_NAME ?? 'stalewatch' })
  const building = process.env.NEXT_PHASE === 'phase-production-build'
  if (process.env.NEXT_RUNTIME === 'nodejs' && !building && process.env.STALEWATCH_SKIP_STARTUP !== '1') {
    const { onServerStart } = await import('./lib/server-start')
    await onServerStart()
  }
}
