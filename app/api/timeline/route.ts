import { z } from 'zod'
import { errorJson, json } from '@/lib/http/json'
import { adminRoute } from '@/lib/http/route'
import { timelineMarkdown } from '@/lib/timeline/markdown'
import { readTimeline } from '@/lib/timeline/read'
import { timelineUrl, timelineWindow } from '@/lib/timeline/window'
import { timeParam } from '@/lib/validation'
import { statsRequest } from '../stats/_lib/stats-request'

export const dynamic = 'force-dynamic'

const query = z.object({
  project: z.string().min(1, 'is required'),
  from: timeParam.optional(),
  to: timeParam.optional(),
  format: z.enum(['json', 'md']).default('json'),
})

// The incident timeline of a window (docs/timeline.md): JSON, or Markdown
// for a postmortem. Behind the dashboard's own auth (admin token or session).
export const GET = adminRoute(async (request) => {
  const asked = await statsRequest(request, query)
  if (asked instanceof Response) return asked
  const { params, project } = asked
  const window = timelineWindow(params.from, params.to, Date.now())
  if (!window.ok) return errorJson(400, 'invalid_request', window.message)
  const timeline = await readTimeline({ projectId: project.id, from: window.from, to: window.to, windowSeconds: project.livenessWindowSeconds })
  const link = timelineUrl(project.id, window.from, window.to, request.url)
  if (params.format === 'md') {
    const stamp = new Date(window.from).toISOString().slice(0, 16).replace(/:/g, '')
    return new Response(timelineMarkdown(timeline, link), {
      headers: { 'content-type': 'text/markdown; charset=utf-8', 'content-disposition': `inline; filename="timeline-${project.id}-${stamp}.md"`, 'cache-control': 'no-store' },
    })
  }
  return json({ ...timeline, link })
})
