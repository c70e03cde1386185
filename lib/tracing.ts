import { trace, SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api'

// Spans go to whatever tracer provider instrumentation.ts registered (@vercel/otel),
// or nowhere when none is: the API's no-op tracer costs next to nothing.
const tracer = () => trace.getTracer('stalewatch')

export async function withSpan<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>): Promise<T> {
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
