import type { Project } from '../projects/project'
import { catalogFor, minSupportedAt } from '../releases/catalog'
import { setMinSupported, type MinSupportedChange } from '../releases/release-store'
import { listAudit, writeAudit, type Actor } from './audit'
import { previewMinimum, type MinimumPreview } from './preview'
import { currentChange, endWave, runningWave } from './registry'
import { outcomeOf } from './start'

// A change of the minimum supported version: the preview at that moment, the
// change itself, and its audit entry (who, when, the preview's figures; the
// outcome follows as its wave runs). Lowering or clearing the minimum, or
// raising it further, ends the running wave at once: its tabs get no slot
// from here on, and its audit entry records how far it got. Setting the
// minimum in force again (as CI may on every deploy) changes nothing: no new
// change is recorded (so no new chart marker), its wave goes on, and the
// answer says so with the time the minimum was set.

export interface MinimumChange {
  /** The change in force: for the same minimum again, the one that set it. */
  change: MinSupportedChange
  from: string | null
  preview: MinimumPreview | null
  unchanged: boolean
}

export async function changeMinimum(project: Project, version: string | null, actor: Actor, now = Date.now()): Promise<MinimumChange> {
  const catalog = await catalogFor(project.id)
  const from = minSupportedAt(catalog, now)
  const preview = version === null ? null : await previewMinimum(project, version, now)
  const unchanged = version === from
  const change = unchanged ? inForce(catalog.minSupportedChanges, version, now) : await setMinSupported(project.id, version)
  if (!unchanged) {
    const running = runningWave(project.id)
    endWave(project.id)
    const previous = (await listAudit(project.id, 200)).find((e) => e.action === 'min_supported' && (e.outcome as { status?: string } | null)?.status === 'running')
    if (previous) await writeAudit({ ...previous, outcome: running ? outcomeOf(running, 'ended', change.changedAt) : { status: 'ended', endedAt: change.changedAt } }, now)
  }
  await writeAudit({
    id: `change-${unchanged ? now : change.changedAt}`,
    projectId: project.id,
    at: unchanged ? now : change.changedAt,
    action: 'min_supported',
    actor,
    from,
    to: version,
    detail: preview,
    // A wave runs once a tab below the new minimum asks; clearing starts none,
    // and the same minimum again continues the wave it has.
    outcome: unchanged ? { status: 'unchanged' } : version === null ? { status: 'none' } : { status: 'running', granted: 0, landed: 0 },
  })
  return { change, from, preview, unchanged }
}

/** The change that set the minimum in force (the first of its run); with none ever set, now. */
function inForce(changes: readonly MinSupportedChange[], version: string | null, now: number): MinSupportedChange {
  const current = currentChange(changes, now) ?? changes.filter((c) => c.changedAt <= now).at(-1)
  return current ?? { version, changedAt: now }
}
