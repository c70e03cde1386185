import type { Project } from '../projects/project'
import { catalogFor, minSupportedAt } from '../releases/catalog'
import { setMinSupported, type MinSupportedChange } from '../releases/release-store'
import { listAudit, writeAudit, type Actor } from './audit'
import { previewMinimum, type MinimumPreview } from './preview'
import { endWave, runningWave } from './registry'
import { outcomeOf } from './start'

// A change of the minimum supported version: the preview at that moment, the
// change itself, and its audit entry (who, when, the preview's figures; the
// outcome follows as its wave runs). Lowering or clearing the minimum, or
// raising it further, ends the running wave at once: its tabs get no slot
// from here on, and its audit entry records how far it got.

export interface MinimumChange {
  change: MinSupportedChange
  from: string | null
  preview: MinimumPreview | null
}

export async function changeMinimum(project: Project, version: string | null, actor: Actor, now = Date.now()): Promise<MinimumChange> {
  const from = minSupportedAt(await catalogFor(project.id), now)
  const preview = version === null ? null : await previewMinimum(project, version, now)
  const change = await setMinSupported(project.id, version)
  if (version !== from) {
    const running = runningWave(project.id)
    endWave(project.id)
    const previous = (await listAudit(project.id, 200)).find((e) => e.action === 'min_supported' && (e.outcome as { status?: string } | null)?.status === 'running')
    if (previous) await writeAudit({ ...previous, outcome: running ? outcomeOf(running, 'ended', change.changedAt) : { status: 'ended', endedAt: change.changedAt } }, now)
  }
  await writeAudit({
    id: `change-${change.changedAt}`,
    projectId: project.id,
    at: change.changedAt,
    action: 'min_supported',
    actor,
    from,
    to: version,
    detail: preview,
    // A wave runs once a tab below the new minimum asks; clearing starts none,
    // and the same minimum again continues the wave it has.
    outcome: version === null ? { status: 'none' } : version === from ? { status: 'unchanged' } : { status: 'running', granted: 0, landed: 0 },
  })
  return { change, from, preview }
}
