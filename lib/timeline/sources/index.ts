import type { TimelineSource } from '../entry'
import { alertsSource } from './alerts'
import { minimumSource } from './minimum'
import { refusalsSource } from './refusals'
import { releasesSource } from './releases'
import { skewErrorsSource } from './skew-errors'
import { stalewatchSource } from './stalewatch'
import { stormsSource } from './storms'
import { waveSource } from './wave'

// Every source of the incident timeline (docs/timeline.md). A new kind of
// entry is one file beside these, returning TimelineEntry[] for a window,
// its line here, its name in TimelineSourceName and its lane on the page.
export const TIMELINE_SOURCES: readonly TimelineSource[] = [releasesSource, minimumSource, waveSource, alertsSource, stormsSource, refusalsSource, skewErrorsSource, stalewatchSource]
