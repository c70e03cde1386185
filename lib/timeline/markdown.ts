import type { Timeline } from './read'

// The timeline as Markdown to paste into a postmortem (docs/timeline.md,
// "Export"): a table of entries in UTC, the key figures, and a link back to
// the page of this very window. Pure.

const utc = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z')
const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19)
const share = (x: number | null) => (x === null ? 'nothing live' : `${Math.round(x * 1000) / 10} %`)
const duration = (ms: number) => (ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`)

/** A table cell: entry titles carry versions and rule names, which are anyone's text. */
const cell = (text: string) => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ').replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'))

export function timelineMarkdown(t: Timeline, pageUrl: string): string {
  const lines = [
    `## Timeline, ${utc(t.from)} to ${utc(t.to)}`,
    '',
    `Project \`${t.projectId}\`. From [Stalewatch](${pageUrl}); times in UTC.`,
    '',
    '| Time (UTC) | Until | Source | What happened |',
    '|---|---|---|---|',
    ...t.entries.map((e) => `| ${utc(e.at)} | ${e.to === undefined ? '' : clock(e.to)} | ${e.source} | ${cell(e.title)} |`),
  ]
  if (t.entries.length === 0) lines.push('| | | | Nothing recorded in this window. |')
  const f = t.figures
  lines.push(
    '',
    '### Key figures',
    '',
    `- Live tabs: ${f.liveAtStart} at the start, ${f.liveAtEnd} at the end.`,
    `- Stale share: ${share(f.staleShareAtStart)} at the start, ${share(f.staleShareAtEnd)} at the end.`,
    `- Stalewatch heard no tab for ${duration(f.unheardMs)} of the window${f.unheardMs > 0 ? ': live counts there are not drawn.' : '.'}`,
  )
  if (t.missing.length > 0) lines.push(`- Missing: the ${t.missing.join(', ')} entries could not be read.`)
  return lines.join('\n') + '\n'
}
