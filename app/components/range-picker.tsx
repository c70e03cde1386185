'use client'

import { useRouter } from 'next/navigation'
import { useEffect, useState } from 'react'

const PRESETS: [label: string, ms: number][] = [
  ['1 h', 3600_000],
  ['6 h', 6 * 3600_000],
  ['24 h', 24 * 3600_000],
  ['7 d', 7 * 24 * 3600_000],
]

// datetime-local works in the viewer's zone; the URL keeps ISO UTC so a
// pasted link means the same window for everyone.
const toLocalInput = (ms: number) => {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000)
  return d.toISOString().slice(0, 16)
}

/** A page's time window (the explorer's, the timeline's): two local date-times and presets, kept in the URL. */
export function RangePicker({ project, from, to, path = '/explorer' }: { project: string; from: number; to: number; path?: string }) {
  const router = useRouter()
  const [start, setStart] = useState('')
  const [end, setEnd] = useState('')
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    setStart(toLocalInput(from))
    setEnd(toLocalInput(to))
  }, [from, to])

  const go = (f: number, t: number) => {
    const query = new URLSearchParams({ project, from: new Date(f).toISOString(), to: new Date(t).toISOString() })
    router.push(`${path}?${query}`)
  }
  const submit = (event: React.FormEvent) => {
    event.preventDefault()
    const f = new Date(start).getTime()
    const t = new Date(end).getTime()
    if (Number.isNaN(f) || Number.isNaN(t) || f >= t) return setError('The start must be before the end.')
    if (t - f > 7 * 24 * 3600_000) return setError('The window is at most 7 days.')
    setError(null)
    go(f, t)
  }
  return (
    <form className="range" onSubmit={submit} aria-label="Time window">
      <label htmlFor="range-from">From</label>
      <input id="range-from" type="datetime-local" value={start} onChange={(e) => setStart(e.target.value)} required />
      <label htmlFor="range-to">To</label>
      <input id="range-to" type="datetime-local" value={end} onChange={(e) => setEnd(e.target.value)} required />
      <button type="submit">Show</button>
      <span className="presets" role="group" aria-label="Last">
        Last:
        {PRESETS.map(([label, ms]) => (
          <button key={label} type="button" onClick={() => go(Date.now() - ms, Date.now())}>
            {label}
          </button>
        ))}
      </span>
      {error ? <span className="error" role="alert">{error}</span> : null}
    </form>
  )
}
