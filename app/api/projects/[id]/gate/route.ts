import { z } from 'zod'
import { errorJson, json } from '@/lib/http/json'
import { deployRoute } from '@/lib/http/route'
import { resolveProject } from '@/lib/projects/project-ref'
import { measureGate } from '@/lib/release-gates/measure'
import { versionString } from '@/lib/validation'

export const dynamic = 'force-dynamic'

type Context = { params: Promise<{ id: string }> }

// What `stalewatch wait` and `stalewatch check` read from CI
// (docs/release-gates.md): the admin, or the project's own deploy token. It
// only reads, and only about the project in its path.
const querySchema = z.object({
  below: versionString.optional(),
  requestsMinutes: z.coerce.number().int().min(1).max(24 * 60).optional(),
})

export const GET = deployRoute(
  async (_request: Request, context: Context) => resolveProject((await context.params).id),
  async (request, _context: Context, project) => {
    if (!project) return errorJson(404, 'unknown_project', 'No such project.')
    const url = new URL(request.url)
    const query = querySchema.safeParse(Object.fromEntries(url.searchParams))
    if (!query.success) {
      const issue = query.error.issues[0]!
      return errorJson(400, 'invalid_query', `${issue.path.join('.') || 'query'}: ${issue.message}`)
    }
    return json(await measureGate({ project, at: Date.now(), ...query.data }))
  },
)
