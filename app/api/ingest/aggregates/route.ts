import { handleAggregatesRequest } from '@/ingest/aggregate-http'
import { aggregateRuntime } from '@/ingest/aggregate-runtime'

// Thin adapter: the pipeline lives in ingest/. The custom server (server.ts)
// answers this path itself on node:http; this route serves deployments that
// run only Next.js. No load shedding here, as on /api/ingest's route.
export const dynamic = 'force-dynamic'

const handle = (request: Request) => handleAggregatesRequest(request, { ...aggregateRuntime().deps, overloaded: undefined })

export const POST = handle
export const GET = handle
export const PUT = handle
export const DELETE = handle
export const PATCH = handle
