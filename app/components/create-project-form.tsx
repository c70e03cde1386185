'use client'

import { useState } from 'react'

interface Created {
  id: string
  name: string
  ingestKey: string
  deployToken: string
  serverKey: string
}

/** Creates a project from the dashboard and shows its keys once. */
export function CreateProjectForm() {
  const [name, setName] = useState('')
  const [created, setCreated] = useState<Created | null>(null)
  const [error, setError] = useState<string | null>(null)

  async function submit(event: React.FormEvent) {
    event.preventDefault()
    setError(null)
    const response = await fetch('/api/projects', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    })
    const body = await response.json()
    if (!response.ok) setError(body?.error?.message ?? 'Could not create the project.')
    else setCreated(body as Created)
  }

  if (created) {
    return (
      <div>
        <p>
          Project <strong>{created.name}</strong> created. Keep the deploy token and the server key now: they are shown only once.
        </p>
        <table>
          <tbody>
            <tr><th>Project id</th><td><code>{created.id}</code></td></tr>
            <tr><th>Ingest key (public, write-only)</th><td><code>{created.ingestKey}</code></td></tr>
            <tr><th>Deploy token (secret, for CI)</th><td><code>{created.deployToken}</code></td></tr>
            <tr><th>Server key (secret, for the backend-load middleware)</th><td><code>{created.serverKey}</code></td></tr>
          </tbody>
        </table>
        <p><a href={`/?project=${created.id}`}>Open its dashboard</a></p>
      </div>
    )
  }
  return (
    <form onSubmit={submit} style={{ display: 'flex', gap: '0.5rem', alignItems: 'center' }}>
      <label htmlFor="project-name">New project</label>
      <input id="project-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="my-web-app" required maxLength={100} />
      <button type="submit">Create</button>
      {error ? <span className="error" role="alert">{error}</span> : null}
    </form>
  )
}
