import { publicRoute } from '@/lib/http/route'

// The trivial Next.js route `npm run bench` compares the ingest route handler
// against: it parses the JSON body and answers 204, nothing else. It touches
// no data and exists only while STALEWATCH_BENCH=1 is set, so a production
// server answers 404 here.

export const dynamic = 'force-dynamic'

export const POST = publicRoute('404 unless STALEWATCH_BENCH=1; touches no data', async (request) => {
  if (process.env.STALEWATCH_BENCH !== '1') return new Response(null, { status: 404 })
  try {
    JSON.parse(await request.text())
  } catch {
    return Response.json({ error: { code: 'invalid_json', message: 'The body is not valid JSON.' } }, { status: 400 })
  }
  return new Response(null, { status: 204 })
})
