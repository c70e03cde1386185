'use client'

import { useRouter } from 'next/navigation'
import { useState } from 'react'

const OUTCOMES = {
  delivered: 'delivered',
  refused_by_receiver: 'the receiver refused it',
  unreachable: 'could not be reached',
  destination_not_allowed: 'refused: an internal address (see STALEWATCH_WEBHOOK_ALLOWED_NETWORKS)',
} as const

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
        (body.results as { kind: string; outcome: keyof typeof OUTCOMES }[]).map((r) => `${r.kind}: ${OUTCOMES[r.outcome] ?? r.outcome}`).join('; '),
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
