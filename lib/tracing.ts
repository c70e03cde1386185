import { INVALID_SPAN_CONTEXT, ProxyTracerProvider, trace, SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api'

// Spans go to whatever tracer provider instrumentation.ts registered (@vercel/otel).
// With none, the work runs without entering a context at all: even the API's
// no-op tracer switches the active context per span, which measured about a
// tenth of the ingest path's CPU (three spans a request).
const tracer = () => trace.getTracer('stalewatch')
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate()
const NON_RECORDING_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT)

function tracingOn(): boolean {
  const provider = trace.getTracerProvider()
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NOOP_PROVIDER
}

export async function withSpan<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>): Promise<T> {
  if (!tracingOn()) return work(NON_RECORDING_SPAN)
  return tracer().startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span)
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error))
      span.setStatus({ code: SpanStatusCode.ERROR })
      throw error
    } finally {
      span.end()
    }
  })
}
