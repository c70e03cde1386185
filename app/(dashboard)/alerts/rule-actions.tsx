'use client'

import { useRouter } from 'next/navigation'
import { useState } from 'react'

/** Test and delete buttons of one rule; the browser sends the Origin header these cookie-authenticated calls need. */
export function RuleActions({ ruleId }: { ruleId: string }) {
  const router = useRouter()
  const [message, setMessage] = useState<string | null>(null)

  async function test() {
    setMessage('sending…')
    const response = await fetch(`/api/alerts/rules/${encodeURIComponent(ruleId)}/test`, { method: 'POST' })
    const body = await response.json()
    if (!response.ok) setMessage(body?.error?.message ?? 'failed')
    else
      setMessage(
        (body.results as { kind: string; ok: boolean; status: number; error: string }[])
          .map((r) => `${r.kind}: ${r.ok ? `ok (${r.status})` : r.error || `HTTP ${r.status}`}`)
          .join('; '),
      )
  }

  async function remove() {
    if (!window.confirm('Delete this rule?')) return
    const response = await fetch(`/api/alerts/rules/${encodeURIComponent(ruleId)}`, { method: 'DELETE' })
    if (response.ok) router.refresh()
    else setMessage('delete failed')
  }

  return (
    <span style={{ display: 'inline-flex', gap: '0.4rem', alignItems: 'center' }}>
      <button type="button" onClick={test}>Send test</button>
      <button type="button" onClick={remove}>Delete</button>
      {message ? <span className="muted" role="status">{message}</span> : null}
    </span>
  )
}
