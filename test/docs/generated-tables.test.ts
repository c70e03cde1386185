import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { eventKindsTable, KINDS_END, KINDS_START } from '@/lib/semantics/event-kinds-docs'
import { EVENT_KINDS } from '@/lib/semantics/event-kinds'

// docs/semantics.md names the kinds the figures count from the kinds table
// itself (npm run docs:settings rewrites it), so the document and the SQL
// cannot drift apart again (it once said `reload_event` for the stored `reload`).

const semantics = readFileSync(path.resolve(import.meta.dirname, '../../docs/semantics.md'), 'utf8')

describe("docs/semantics.md's event kinds", () => {
  it('are the table in lib/semantics/event-kinds.ts', () => {
    const start = semantics.indexOf(KINDS_START)
    expect(start, 'the kinds marker in docs/semantics.md').toBeGreaterThan(-1)
    const section = semantics.slice(start + KINDS_START.length + 1, semantics.indexOf(KINDS_END, start) - 1)
    expect(section).toBe(eventKindsTable())
  })

  it('name every kind by its stored name', () => {
    for (const kind of Object.keys(EVENT_KINDS)) expect(eventKindsTable()).toContain(`| \`${kind}\` |`)
  })
})
