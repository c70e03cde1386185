import { handleIngestRequest } from '@/ingest/events/http-web'
import { ingestRuntime } from '@/ingest/events/runtime'
import { peerAddressOf } from '@/lib/http/client-address'
import { publicRoute } from '@/lib/http/route'

// Thin adapter: the pipeline lives in ingest/, limits and shedding included,
// so this route meets the same ones as the node:http fast path. The custom
// server (server.ts) answers every spelling of /api/ingest itself
// (ingest/edge/front-door.ts); this route serves deployments that run only Next.js
// (serverless, `next start`), where the client address is known only from a
// trusted proxy's X-Forwarded-For.
export const dynamic = 'force-dynamic'

const handle = publicRoute('the ingest key, checked by the pipeline', (request: Request) =>
  handleIngestRequest(request, ingestRuntime().deps, peerAddressOf(request.headers)),
)

export const POST = handle
export const OPTIONS = handle
export const GET = handle
export const PUT = handle
export const DELETE = handle
export const PATCH = handle
