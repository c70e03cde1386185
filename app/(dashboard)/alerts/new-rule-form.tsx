'use client'

import { useRouter } from 'next/navigation'
import { useState } from 'react'
import type { Condition } from '@/lib/alerts/rule-schema'

// Templates of each condition kind (a kind without one fails the typecheck);
// the API validates and names a bad field.
const TEMPLATES: Record<Condition['kind'], object> = {
  stale_share: { thresholdPercent: 20, forMinutes: 10, graceMinutes: 60 },
  below_minimum: { maxSessions: 0, forMinutes: 5 },
  version_live: { maxSessions: 10, graceMinutes: 60 },
  event_rate: { event: 'reload', baselineFactor: 5, minPerMinute: 10, baselineMinutes: 60, forMinutes: 1 },
  ingest_silence: { silentMinutes: 15 },
  skew_errors: { perTabAbove: 0.5, windowMinutes: 5, minTabs: 5 },
  stale_requests: { perSecondAbove: 50, graceMinutes: 60, forMinutes: 5 },
  requests_per_tab: { factor: 5, windowMinutes: 5, minTabs: 5, forMinutes: 10 },
  reconnect_storm: { baselineFactor: 5, minPerMinute: 50, baselineMinutes: 60 },
}

interface Created {
  destinations: { kind: string; url: string; secret: string }[]
}

export function NewRuleForm({ projectId }: { projectId: string }) {
  const router = useRouter()
  const [name, setName] = useState('')
  const [kind, setKind] = useState('stale_share')
  const [condition, setCondition] = useState(JSON.stringify(TEMPLATES.stale_share, null, 2))
  const [destinationKind, setDestinationKind] = useState('webhook')
  const [url, setUrl] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [created, setCreated] = useState<Created | null>(null)

  async function submit(event: React.FormEvent) {
    event.preventDefault()
    setError(null)
    let parsed: object
    try {
      parsed = JSON.parse(condition)
    } catch {
      setError('condition: not valid JSON')
      return
    }
    const response = await fetch('/api/alerts/rules', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ project: projectId, name, condition: { ...parsed, kind }, destinations: [{ kind: destinationKind, url }] }),
    })
    const body = await response.json()
    if (!response.ok) setError(body?.error?.message ?? 'Could not create the rule.')
    else {
      setCreated(body as Created)
      router.refresh()
    }
  }

  return (
    <form onSubmit={submit} style={{ display: 'grid', gap: '0.5rem', marginTop: '1rem', maxWidth: 640 }}>
      <h3 style={{ margin: 0, fontSize: '0.9rem' }}>New rule</h3>
      <label>
        Name <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
      </label>
      <label>
        Kind{' '}
        <select
          value={kind}
          onChange={(e) => {
            setKind(e.target.value)
            setCondition(JSON.stringify(TEMPLATES[e.target.value as Condition['kind']], null, 2))
          }}
        >
          {Object.keys(TEMPLATES).map((k) => (
            <option key={k} value={k}>{k}</option>
          ))}
        </select>
      </label>
      <label>
        Condition (JSON)
        <textarea value={condition} onChange={(e) => setCondition(e.target.value)} rows={5} style={{ width: '100%', fontFamily: 'monospace' }} />
      </label>
      <label>
        Send to{' '}
        <select value={destinationKind} onChange={(e) => setDestinationKind(e.target.value)}>
          <option value="webhook">JSON webhook</option>
          <option value="slack">Slack incoming webhook</option>
        </select>{' '}
        <input type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://…" required style={{ width: '60%' }} />
      </label>
      <div>
        <button type="submit">Create rule</button> {error ? <span className="error" role="alert">{error}</span> : null}
      </div>
      {created ? (
        <p>
          Created. Signing secret (shown once):{' '}
          {created.destinations.map((d) => (
            <code key={d.url}>{d.secret}</code>
          ))}
        </p>
      ) : null}
    </form>
  )
}
