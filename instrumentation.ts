import { registerOTel } from '@vercel/otel'

// Tracing for every request and for the spans lib/tracing.ts opens around
// ingest stages and ClickHouse queries. Exporters follow the standard
// OTEL_EXPORTER_OTLP_* variables; with none set, spans go nowhere.
export async function register(): Promise<void> {
  registerOTel({ serviceName: process.env.OTEL_SERVICE_NAME ?? 'stalewatch' })
  const building = process.env.NEXT_PHASE === 'phase-production-build'
  if (process.env.NEXT_RUNTIME === 'nodejs' && !building && process.env.STALEWATCH_SKIP_STARTUP !== '1') {
    const { onServerStart } = await import('./lib/server-start')
    await onServerStart()
  }
}
