import { publicRoute } from '@/lib/http/route'

// The trivial Next.js route `npm run bench` compares the ingest route handler
// against: it parses the JSON body and answers 204, nothing else. It is part
// only of the bench's own build (next.config.ts compiles route.bench.ts files
// when STALEWATCH_BENCH_ROUTES=1), never of the product's; it touches no data.
export const dynamic = 'force-dynamic'

export const POST = publicRoute("the bench's own build only; touches no data", async (request) => {
  try {
    JSON.parse(await request.text())
  } catch {
    return Response.json({ error: { code: 'invalid_json', message: 'The body is not valid JSON.' } }, { status: 400 })
  }
  return new Response(null, { status: 204 })
})
