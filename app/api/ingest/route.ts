import { handleIngestRequest } from '@/ingest/http-web'
import { ingestRuntime } from '@/ingest/runtime'

// Thin adapter: the pipeline lives in ingest/. The custom server (server.ts)
// answers /api/ingest itself on node:http; this route serves deployments that
// run only Next.js (serverless, `next start`).
export const dynamic = 'force-dynamic'

const handle = (request: Request) => handleIngestRequest(request, ingestRuntime().deps)

export const POST = handle
export const OPTIONS = handle
export const GET = handle
export const PUT = handle
export const DELETE = handle
export const PATCH = handle
