'use client'

import { useState } from 'react'

/** Copies a whole string (a version, a commit) where a person needs it whole: to paste into git, a CLI, a ticket. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false)
  async function copy() {
    await navigator.clipboard.writeText(text)
    setCopied(true)
    setTimeout(() => setCopied(false), 1500)
  }
  return (
    <button type="button" className="copy" onClick={() => void copy()} aria-label={`Copy ${label}`} title={text}>
      {copied ? 'Copied' : 'Copy'}
    </button>
  )
}
