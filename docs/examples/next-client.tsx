'use client'
import { useStalewatch } from '@/sdk/src/react'
import { appVersion } from '@/sdk/src/next'

export function Stalewatch() {
  const { updateAvailable, reload } = useStalewatch({
    key: process.env.NEXT_PUBLIC_STALEWATCH_KEY!,
    endpoint: process.env.NEXT_PUBLIC_STALEWATCH_ENDPOINT, // e.g. https://stalewatch.example/api/ingest
    version: appVersion(),
  })
  return updateAvailable ? <button onClick={() => reload()}>Update</button> : null
}
