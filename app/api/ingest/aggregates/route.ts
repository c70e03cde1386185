import { handleAggregatesRequest } from '@/ingest/aggregates/http'
import { aggregateRuntime } from '@/ingest/aggregates/runtime'
import { peerAddressOf } from '@/lib/http/client-address'
import { publicRoute } from '@/lib/http/route'

// Thin adapter: the pipeline lives in ingest/. The custom server (server.ts)
// answers this path itself on node:http; this route serves deployments that
// run only Next.js, with the same limits and shedding as the node:http path.
export const dynamic = 'force-dynamic'

const handle = publicRoute('the server key, checked by the pipeline', (request: Request) =>
  handleAggregatesRequest(request, aggregateRuntime().deps, peerAddressOf(request.headers)),
)

export const POST = handle
export const GET = handle
export const PUT = handle
export const DELETE = handle
export const PATCH = handle
