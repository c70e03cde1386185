'use client'

import { useEffect, useState } from 'react'

type Theme = 'system' | 'light' | 'dark'
const KEY = 'stalewatch.theme'
const NEXT: Record<Theme, Theme> = { system: 'light', light: 'dark', dark: 'system' }

/** Cycles system → light → dark; the choice is kept in localStorage and applied as data-theme on <html>. */
export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>('system')
  useEffect(() => {
    const saved = localStorage.getItem(KEY)
    if (saved === 'light' || saved === 'dark') setTheme(saved)
  }, [])
  useEffect(() => {
    if (theme === 'system') {
      document.documentElement.removeAttribute('data-theme')
      localStorage.removeItem(KEY)
    } else {
      document.documentElement.setAttribute('data-theme', theme)
      localStorage.setItem(KEY, theme)
    }
  }, [theme])
  return (
    <button type="button" onClick={() => setTheme(NEXT[theme])} aria-label={`Theme: ${theme}. Switch to ${NEXT[theme]}.`} title="Switch theme">
      Theme: {theme}
    </button>
  )
}
