import { describe, expect, it } from 'vitest'
import { wavePicture } from '@/lib/figures/wave-picture/picture'
import { projectById } from '@/lib/projects/project-directory'
import { registerRelease } from '@/lib/releases/release-store'
import { writeAudit } from '@/lib/rollout/audit'
import { changeMinimum } from '@/lib/rollout/change'
import { endWave } from '@/lib/rollout/registry'
import { rolloutStatus } from '@/lib/rollout/status'
import { testProject, useEngine } from '../../../support/engine'
import { M, sendAll, Tab } from '../../../support/known-answer-tabs'

// The wave as a picture (issue #27): what the rollout page draws beside its
// tables, from the wave's stored state, the audit log and the live-sessions
// figure, against the real engine.
useEngine()

describe('the wave as a picture', () => {
  it('draws the tabs below the minimum over time, the guard’s pauses with their causes, and the projected end as a band after now', async () => {
    const created = await testProject('wave-picture')
    const minute = Math.floor(Date.now() / M) * M
    await registerRelease({ project: created.id, version: 'v1', releasedAt: minute - 120 * M })
    await registerRelease({ project: created.id, version: 'v2', releasedAt: minute - 60 * M })
    // Three tabs on v1 (two of them hidden), one on v2.
    await sendAll(created.ingestKey, [new Tab('v1').beat(minute - 20 * M, minute), new Tab('v1').beat(minute - 20 * M, minute, 'hidden'), new Tab('v1').beat(minute - 20 * M, minute, 'hidden'), new Tab('v2').beat(minute - 20 * M, minute)], false)
    const project = (await projectById(created.id))!
    const { change } = await changeMinimum(project, 'v2', 'admin token', minute - 10 * M)
    try {
      await writeAudit({ projectId: project.id, at: change.changedAt + 1000, action: 'guard_paused', actor: 'guard', from: null, to: null, detail: { causes: [{ cause: 'not_landing', summary: '3 of 4 forced reloads did not land' }] }, outcome: null })
      await writeAudit({ projectId: project.id, at: change.changedAt + 2000, action: 'guard_resumed', actor: 'guard', from: null, to: null, detail: { causes: [] }, outcome: null })
      const now = Date.now()
      const status = await rolloutStatus(project, now)
      const picture = await wavePicture(project, status.wave!, status.audit, now)

      const measured = picture.points.filter((p) => p.x <= now)
      expect(measured.find((p) => p.x === minute)!.below).toBe(3)
      expect(picture.points.filter((p) => p.x > now).every((p) => p.below === null && p.started === null)).toBe(true)
      expect(picture.pauses).toEqual([{ from: change.changedAt + 1000, to: change.changedAt + 2000, causes: '3 of 4 forced reloads did not land', ongoing: false }])
      expect(picture.endBand).not.toBeNull()
      expect(picture.endBand!.from).toBeGreaterThan(now)
      expect(picture.endBand!.to).toBeGreaterThan(picture.endBand!.from)
      expect(picture.to).toBeGreaterThan(picture.endBand!.to)
    } finally {
      endWave(project.id)
    }
  })
})
