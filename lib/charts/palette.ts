// Colours of chart series, chosen from what a series is (its tone), never
// from its label. Versions are told apart by family first: the latest
// release in blue, versions newer than it (a canary, a hotfix not registered
// yet) in other cool colours, stale versions in warm ones, the most recently
// stale first; "other" in grey, counts under no version in a darker grey.
// Reload reasons have fixed colours. Every pair within a family is at least
// 90 apart in RGB, so neighbours in a stacked chart do not blur into each
// other; the families are far apart. The colours read on both the light and
// the dark theme.

export type Tone =
  | { family: 'latest' }
  | { family: 'newer' | 'stale'; /** 0 = nearest the latest release */ rank: number }
  | { family: 'other' }
  /** Counts under no version (backend load's `unknown`): apart from "other", which sums versions. */
  | { family: 'unversioned' }
  | { family: 'reason'; reason: string }

const LATEST = '#1971c2'
const NEWER = ['#7048e8', '#0ca678', '#0b3d91'] as const
const STALE = ['#f08c00', '#c92a2a', '#ffd43b', '#e64980', '#ffa8a8', '#5c2c06'] as const
const OTHER = '#868e96'
const UNVERSIONED = '#495057'

const REASONS: Record<string, string> = {
  user: '#8e99a8',
  update_prompt: '#2f9e44',
  forced: '#e03131',
  chunk_error: '#f08c00',
  app: '#1971c2',
}

export function toneColour(tone: Tone): string {
  switch (tone.family) {
    case 'latest':
      return LATEST
    case 'newer':
      return NEWER[tone.rank % NEWER.length]!
    case 'stale':
      return STALE[tone.rank % STALE.length]!
    case 'other':
      return OTHER
    case 'unversioned':
      return UNVERSIONED
    case 'reason':
      return REASONS[tone.reason] ?? OTHER
  }
}
