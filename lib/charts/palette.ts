// Colours of chart series, chosen from what a series is (its tone), never
// from its label. A version keeps one colour for the life of its project:
// its place in the order in which the project's versions first appeared
// (first seen, or released if earlier; lib/figures/chart-context.ts
// versionTones) picks it from VERSIONS, so adding a release never recolours
// the ones before it, and the versions of one rollout, which appeared one
// after another, get neighbouring entries, each far from the next. Whether a
// version is the latest or stale is said in words (the versions table's
// badges), not by recolouring it.
//
// One colour means one thing across the dashboard: the version colours, the
// reload reasons' colours, the skew errors' causes' colours, "other", the counts under no version and the
// marker lines (drawn in the text colour, app/globals.css) never share a
// value. Every colour reads on both the light and the dark theme.

export type Tone =
  /** A version, by its place in the project's order of first appearance (0 = the first). */
  | { family: 'version'; index: number }
  | { family: 'other' }
  /** Counts under no version (backend load's `unknown`): apart from "other", which sums versions. */
  | { family: 'unversioned' }
  | { family: 'reason'; reason: string }
  /** A skew error's cause (docs/skew-errors.md); 'other' is drawn as "other". */
  | { family: 'cause'; cause: string }
  /** Versions before or after one release, summed (backend load on a release's page). */
  | { family: 'relative'; side: 'older' | 'newer' }
  /** A share drawn alone (the stale share). */
  | { family: 'share' }

/** Neighbours (consecutive versions, and the last and the first) are at least 100 apart in RGB; none equals a colour below. */
export const VERSION_COLOURS = ['#4c6ef5', '#f59f00', '#0ca678', '#d6336c', '#1098ad', '#7950f2', '#74b816', '#a9652b', '#be4bdb'] as const
const OTHER = '#868e96'
const UNVERSIONED = '#495057'
const OLDER = '#e8590c'
const NEWER = '#3b5bdb'
const SHARE = '#c2255c'

export const REASON_COLOURS: Record<string, string> = {
  user: '#8e99a8',
  update_prompt: '#2f9e44',
  forced: '#e03131',
  chunk_error: '#fd7e14',
  app: '#1c7ed6',
}

/** Skew errors' causes: none equals a version's, a reload reason's or another family's colour. */
export const CAUSE_COLOURS: Record<string, string> = {
  gone: '#a61e4d',
  html_instead_of_script: '#e8a200',
  cached_404: '#5c940d',
  sw_swap: '#0b7285',
  server_action_missing: '#5f3dc4',
  network: '#ced4da',
}

export function toneColour(tone: Tone): string {
  switch (tone.family) {
    case 'version':
      return VERSION_COLOURS[tone.index % VERSION_COLOURS.length]!
    case 'other':
      return OTHER
    case 'unversioned':
      return UNVERSIONED
    case 'reason':
      return REASON_COLOURS[tone.reason] ?? OTHER
    case 'cause':
      return CAUSE_COLOURS[tone.cause] ?? OTHER
    case 'relative':
      return tone.side === 'older' ? OLDER : NEWER
    case 'share':
      return SHARE
  }
}
