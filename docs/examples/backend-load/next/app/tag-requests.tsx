'use client'
import { tagRequests } from 'stalewatch/tag-requests'

// At import, before the app's first request, with the version withStalewatch baked in.
if (typeof window !== 'undefined') tagRequests()

export function TagRequests() {
  return null
}
