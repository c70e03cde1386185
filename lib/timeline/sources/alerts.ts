import { listTransitions } from '../../alerts/transition-store'
import type { TimelineSource } from '../entry'

// Alerts fired and resolved (lib/alerts/), with the value that fired them.
export const alertsSource: TimelineSource = {
  name: 'alert',
  entries: async (w) =>
    (await listTransitions({ projectId: w.projectId, kinds: ['firing', 'resolved'], since: w.from, limit: 1000 }))
      .filter((t) => t.at <= w.to)
      .map((t) => ({
        at: t.at,
        source: 'alert',
        kind: t.kind,
        title: `Alert "${t.ruleName}" ${t.kind === 'firing' ? 'fired' : 'resolved'}${t.summary ? `: ${t.summary}` : ''}`,
      })),
}
