import { countRoute } from 'stalewatch/server'
import { counter } from '../../../../stalewatch-counter'

export const GET = countRoute(
  counter,
  async (_request: Request, { params }: { params: Promise<{ id: string }> }) => Response.json({ id: (await params).id }),
  { route: '/api/items/[id]' },
)
