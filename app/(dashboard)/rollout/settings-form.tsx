'use client'

import { useRouter } from 'next/navigation'
import { useState } from 'react'

// The project's reload rate and lead. A new rate applies to a running wave at once.
export function SettingsForm({ projectId, reloadsPerMinute, leadSeconds }: { projectId: string; reloadsPerMinute: number; leadSeconds: number }) {
  const router = useRouter()
  const [rate, setRate] = useState(String(reloadsPerMinute))
  const [lead, setLead] = useState(String(leadSeconds))
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null)

  async function save(event: React.FormEvent) {
    event.preventDefault()
    const response = await fetch(`/api/projects/${encodeURIComponent(projectId)}/rollout/settings`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reloadsPerMinute: Number(rate), leadSeconds: Number(lead) }),
    })
    const body = await response.json()
    if (!response.ok) return setMessage({ error: true, text: body?.error?.message ?? 'Could not save.' })
    setMessage({ error: false, text: 'Saved.' })
    router.refresh()
  }

  return (
    <form onSubmit={save} style={{ display: 'flex', gap: '0.75rem', alignItems: 'center', flexWrap: 'wrap' }}>
      <label>
        Forced reloads per minute <input type="number" min={0} step={1} value={rate} onChange={(e) => setRate(e.target.value)} style={{ width: '8em' }} />
      </label>
      <label>
        Lead (s) <input type="number" min={0} max={3600} step={1} value={lead} onChange={(e) => setLead(e.target.value)} style={{ width: '6em' }} />
      </label>
      <button type="submit">Save</button>
      {message ? <span className={message.error ? 'error' : 'muted'} role={message.error ? 'alert' : 'status'}>{message.text}</span> : null}
    </form>
  )
}
