'use client'

import { useRouter } from 'next/navigation'
import { useEffect } from 'react'

/**
 * Just past a boundary: the server computes a page's figures once per tick
 * for every viewer (lib/figures/shared-reads.ts), so refreshes that land in
 * the same tick share one computation.
 */
const PAST_BOUNDARY_MS = 250

/**
 * Re-renders the server component page every `seconds`, while the tab is
 * visible, on the wall clock's multiples of `seconds`: every open dashboard
 * then asks within the same tick instead of at the moment it was opened.
 */
export function AutoRefresh({ seconds }: { seconds: number }) {
  const router = useRouter()
  useEffect(() => {
    const period = seconds * 1000
    let timer: ReturnType<typeof setTimeout>
    const schedule = () => {
      timer = setTimeout(() => {
        if (document.visibilityState === 'visible') router.refresh()
        schedule()
      }, period - (Date.now() % period) + PAST_BOUNDARY_MS)
    }
    schedule()
    return () => clearTimeout(timer)
  }, [router, seconds])
  return null
}
