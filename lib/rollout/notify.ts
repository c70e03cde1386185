import { linksFor, type Notification } from '../alerts/message'
import { listRules } from '../alerts/rule-store'
import { sendNotification } from '../alerts/send'
import { errorMessage, log } from '../log'
import type { Cause, Wave } from './wave'

// A wave's pause and resumption go to every destination of the project's
// alert rules, signed and shaped like alert notifications (docs/alerts.md),
// with type rollout.paused / rollout.resumed. Each destination gets up to
// three attempts, 10 s and 30 s apart, without holding up the guard.

const RETRY_MS = [10_000, 30_000]

export function guardNotification(wave: Wave, kind: 'paused' | 'resumed', causes: readonly Cause[], at: number, baseUrl: string): Notification {
  const { projectId, changeId, minimum } = wave.id
  const summary =
    kind === 'paused'
      ? `Reload wave to minimum ${minimum} paused: no new forced reload starts. ${causes.map((c) => c.summary).join('; ')}`
      : `Reload wave to minimum ${minimum} resumed: the guard's signals have cleared.`
  return {
    id: `rollout:${projectId}:${changeId}:${kind}:${at}`,
    type: kind === 'paused' ? 'rollout.paused' : 'rollout.resumed',
    project: projectId,
    rule: { id: 'rollout-guard', name: 'Reload wave guard', kind: 'rollout_guard' },
    state: kind === 'paused' ? 'firing' : 'resolved',
    at,
    since: kind === 'paused' ? at : wave.pausedSince,
    value: null,
    threshold: 0,
    summary,
    links: linksFor(baseUrl, projectId, kind === 'paused' ? at : wave.pausedSince, at),
  }
}

/** Sends the notification to every destination of the project's rules; resolves when every attempt is over. */
export async function notifyDestinations(projectId: string, n: Notification): Promise<{ delivered: number; failed: number }> {
  const rules = await listRules({ projectId })
  const destinations = new Map(rules.flatMap((r) => r.destinations).map((d) => [`${d.kind}\u0000${d.url}`, d]))
  let delivered = 0
  let failed = 0
  await Promise.all(
    [...destinations.values()].map(async (destination) => {
      for (let attempt = 0; ; attempt++) {
        const sent = await sendNotification(destination, n, Date.now())
        if (sent.ok) return void delivered++
        if (attempt >= RETRY_MS.length) {
          failed++
          return log.warn('rollout: guard notification not delivered', { project: projectId, destination: destination.id, error: sent.error })
        }
        await new Promise((r) => setTimeout(r, RETRY_MS[attempt]).unref?.())
      }
    }),
  ).catch((error: unknown) => log.error('rollout: guard notification failed', { project: projectId, error: errorMessage(error) }))
  return { delivered, failed }
}
