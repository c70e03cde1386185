'use client'

import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { formatDateTime } from '@/lib/charts/format'
import type { MinimumPreview } from '@/lib/rollout/preview'
import { previewEndText } from '@/lib/rollout/view'

// Raise (or lower) the minimum in two steps: the preview of what it would
// force, then the confirmation. Clearing it (the undo) asks too.

type Step = { kind: 'idle' } | { kind: 'preview'; preview: MinimumPreview } | { kind: 'done'; text: string }

export function MinimumForm({ projectId, current }: { projectId: string; current: string | null }) {
  const router = useRouter()
  const [version, setVersion] = useState('')
  const [step, setStep] = useState<Step>({ kind: 'idle' })
  const [error, setError] = useState<string | null>(null)
  const base = `/api/projects/${encodeURIComponent(projectId)}/min-supported`

  async function preview(event: React.FormEvent) {
    event.preventDefault()
    setError(null)
    const response = await fetch(`${base}/preview?version=${encodeURIComponent(version.trim())}`)
    const body = await response.json()
    if (!response.ok) return setError(body?.error?.message ?? 'Could not preview.')
    setStep({ kind: 'preview', preview: body as MinimumPreview })
  }

  async function set(to: string | null) {
    setError(null)
    const response = await fetch(base, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ version: to }) })
    const body = await response.json()
    if (!response.ok) return setError(body?.error?.message ?? 'Could not change the minimum.')
    setStep({ kind: 'done', text: body.unchanged ? `${to ?? 'No minimum'} was already in force: nothing changed.` : to === null ? 'Minimum cleared: no tab is forced from now on.' : `Minimum set to ${to}.` })
    router.refresh()
  }

  const p = step.kind === 'preview' ? step.preview : null
  return (
    <div style={{ display: 'grid', gap: '0.75rem', marginTop: '0.75rem' }}>
      <form onSubmit={preview} style={{ display: 'flex', gap: '0.5rem', alignItems: 'center', flexWrap: 'wrap' }}>
        <label>
          New minimum version{' '}
          <input value={version} onChange={(e) => (setVersion(e.target.value), setStep({ kind: 'idle' }))} required maxLength={64} />
        </label>
        <button type="submit">Preview</button>
        {current ? (
          <button type="button" onClick={() => window.confirm(`Clear the minimum ${current}? Tabs that have not reloaded yet will not.`) && set(null)}>
            Clear the minimum
          </button>
        ) : null}
      </form>
      {p ? (
        <div data-testid="preview" className="panel" style={{ margin: 0 }}>
          <p style={{ marginTop: 0 }}>
            Setting <code>{p.version}</code> (now <code>{p.current ?? 'none'}</code>) would force <strong data-testid="preview-total">{p.tabs.total}</strong> live{' '}
            {p.tabs.total === 1 ? 'tab' : 'tabs'} to reload:
          </p>
          <table>
            <tbody>
              <tr><th scope="row">Hidden</th><td className="num" data-testid="preview-hidden">{p.tabs.hidden}</td></tr>
              <tr><th scope="row">Visible, idle</th><td className="num" data-testid="preview-idle">{p.tabs.idle}</td></tr>
              <tr><th scope="row">Visible, in use (wait until hidden or idle)</th><td className="num" data-testid="preview-visible">{p.tabs.visible}</td></tr>
              <tr><th scope="row">With unsaved work (wait until saved or cleared)</th><td className="num" data-testid="preview-unsaved">{p.tabs.unsaved}</td></tr>
              {p.tabs.byAge.map((a) => (
                <tr key={a.label}><th scope="row">Tab age {a.label}</th><td className="num">{a.tabs}</td></tr>
              ))}
              <tr><th scope="row">Pace</th><td className="num" data-testid="preview-rate">{p.reloadsPerMinute} / min</td></tr>
              <tr>
                <th scope="row">End</th>
                <td data-testid="preview-end">{previewEndText(p, formatDateTime)}</td>
              </tr>
            </tbody>
          </table>
          <p>
            <button type="button" onClick={() => set(p.version)}>
              {p.current === null ? 'Raise the minimum' : 'Change the minimum'} to {p.version}
            </button>{' '}
            <button type="button" onClick={() => setStep({ kind: 'idle' })}>Cancel</button>
          </p>
        </div>
      ) : null}
      {step.kind === 'done' ? <p role="status">{step.text}</p> : null}
      {error ? <p className="error" role="alert">{error}</p> : null}
    </div>
  )
}
