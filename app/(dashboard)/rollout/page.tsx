import { AutoRefresh } from '@/app/components/auto-refresh'
import { LocalTime } from '@/app/components/local-time'
import { projectPage } from '@/app/components/project-page'
import { SiteHeader } from '@/app/components/site-header'
import { WaveChart } from '@/app/components/wave-chart'
import { wavePicture } from '@/lib/figures/wave-picture/picture'
import { CopyButton } from '@/app/components/copy-button'
import { VersionText } from '@/app/components/version-text'
import type { Project } from '@/lib/projects/project'
import { rolloutStatus } from '@/lib/rollout/status'
import { auditText, waveSummary } from '@/lib/rollout/view'
import { MinimumForm } from './minimum-form'
import { SettingsForm } from './settings-form'

export const dynamic = 'force-dynamic'

const ACTIONS: Record<string, string> = {
  min_supported: 'Minimum changed',
  guard_paused: 'Wave paused by the guard',
  guard_resumed: 'Wave resumed',
  settings: 'Settings changed',
}

export default async function RolloutPage({ searchParams }: { searchParams: Promise<{ project?: string }> }) {
  const { projects, project } = await projectPage((await searchParams).project)
  return (
    <>
      <SiteHeader projects={projects} current={project} section="rollout" />
      <main>{project ? <ProjectRollout project={project} /> : <p className="empty">Create a project on the dashboard first.</p>}</main>
    </>
  )
}

async function ProjectRollout({ project }: { project: Project }) {
  const now = Date.now()
  // The minimum, the settings and the wave's progress as of now; its live counts as of the tick, shared with every viewer of it (lib/figures/shared-reads.ts).
  const status = await rolloutStatus(project, now, { liveAtTick: true })
  const summary = waveSummary(status.wave, now)
  const wave = status.wave
  return (
    <>
      <AutoRefresh seconds={5} />
      <section className="panel">
        <h2>Minimum supported version</h2>
        <p>
          Now: {status.minSupported ? <><VersionText version={status.minSupported} /> <CopyButton text={status.minSupported} label="the whole minimum version" /></> : <code>none</code>} · rate {status.settings.reloadsPerMinute} forced reloads / min · lead{' '}
          {status.settings.leadSeconds} s{status.settings.own ? '' : ' (defaults)'}
        </p>
        <p data-testid="wave-status" className={summary.state === 'paused' ? 'error' : undefined}>
          {summary.text}
        </p>
        {wave && (wave.belowMinimum > 0 || wave.granted > wave.landed) ? (
          <p className="muted">
            Wave since <LocalTime ms={wave.changedAt} />
            {wave.projectedEndAt === null ? (
              '.'
            ) : (
              <>
                , first forced reload <LocalTime ms={wave.startsAt} />, projected end <LocalTime ms={wave.projectedEndAt} />.
              </>
            )}
          </p>
        ) : null}
        <MinimumForm projectId={project.id} current={status.minSupported} />
      </section>
      {wave ? (
        <section className="panel" aria-label="The wave">
          <h2>The wave</h2>
          <WaveChart picture={await wavePicture(project, wave, status.audit, now, { liveAtTick: true })} />
          <p className="muted">
            The line: live tabs below the minimum. Bars: forced reloads started and landed per minute (right axis). Grey spans: the guard paused the wave. The shaded band: when the last tab
            below the minimum should have started, an estimate: hidden tabs go at their slot, visible tabs in use wait until they are hidden or idle.
          </p>
        </section>
      ) : null}
      {wave && wave.perMinute.length > 0 ? (
        <section className="panel">
          <h2>Forced reloads per minute</h2>
          <div className="table-scroll">
            <table data-testid="wave-minutes">
              <thead>
                <tr>
                  <th scope="col">Minute</th>
                  <th scope="col" className="num">Started</th>
                  <th scope="col" className="num">Landed</th>
                </tr>
              </thead>
              <tbody>
                {wave.perMinute.map((m) => (
                  <tr key={m.minute}>
                    <td><LocalTime ms={m.minute} /></td>
                    <td className="num">{m.granted}</td>
                    <td className="num">{m.landed}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
      <section className="panel">
        <h2>Pace</h2>
        <SettingsForm projectId={project.id} reloadsPerMinute={status.settings.reloadsPerMinute} leadSeconds={status.settings.leadSeconds} />
      </section>
      <section className="panel">
        <h2>Audit log</h2>
        {status.audit.length === 0 ? (
          <p className="muted">Nothing changed yet.</p>
        ) : (
          <div className="table-scroll">
            <table data-testid="rollout-audit">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">What</th>
                  <th scope="col">Who</th>
                  <th scope="col">Details</th>
                  <th scope="col">Outcome</th>
                </tr>
              </thead>
              <tbody>
                {status.audit.map((e) => (
                  <tr key={e.id}>
                    <td><LocalTime ms={e.at} /></td>
                    <td>
                      {ACTIONS[e.action] ?? e.action}
                      {e.action === 'min_supported' ? <> <VersionText version={e.from ?? 'none'} /> → <VersionText version={e.to ?? 'none'} /></> : ''}
                    </td>
                    <td>{e.actor}</td>
                    <td className="reasons">{auditText(e).detail}</td>
                    <td className="reasons">{auditText(e).outcome}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  )
}
