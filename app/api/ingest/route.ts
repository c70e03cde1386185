import { handleIngestRequest } from '@/ingest/http-web'
import { ingestRuntime } from '@/ingest/runtime'
import { publicRoute } from '@/lib/http/route'

// Thin adapter: the pipeline lives in ingest/. The custom server (server.ts)
// answers /api/ingest itself on node:http; this route serves deployments that
// run only Next.js (serverless, `next start`).
export const dynamic = 'force-dynamic'

// No shedding by event-loop delay here: behind Next.js's router a 503 costs
// nearly as much as an answer, so it would refuse work without saving any.
// The node:http path (server.ts), where a refusal is cheap, is the one that sheds.
const handle = publicRoute('the ingest key, checked by the pipeline', (request: Request) =>
  handleIngestRequest(request, { ...ingestRuntime().deps, overloaded: undefined }),
)

export const POST = handle
export const OPTIONS = handle
export const GET = handle
export const PUT = handle
export const DELETE = handle
export const PATCH = handle
