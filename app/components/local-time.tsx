'use client'

import { useEffect, useState } from 'react'
import { formatDateTime } from '@/lib/charts/format'

/** A time shown in the viewer's time zone (the server does not know it): ISO UTC until hydrated. */
export function LocalTime({ ms }: { ms: number | null }) {
  const [text, setText] = useState<string | null>(null)
  useEffect(() => setText(ms === null ? null : formatDateTime(ms)), [ms])
  if (ms === null) return <>—</>
  const iso = new Date(ms).toISOString()
  return <time dateTime={iso}>{text ?? iso.replace('T', ' ').slice(0, 19) + ' UTC'}</time>
}
