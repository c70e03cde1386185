import type { TimelineSource } from '../entry'
import { alertsSource } from './alerts'
import { minimumSource } from './minimum'
import { refusalsSource } from './refusals'
import { releasesSource } from './releases'
import { stalewatchSource } from './stalewatch'
import { stormsSource } from './storms'
import { waveSource } from './wave'

// Every source of the incident timeline (docs/timeline.md). A new kind of
// entry is one file beside these, returning TimelineEntry[] for a window,
// and its line here: skew-error spikes (the `skew_error` event, issue 24)
// go in as ./skew-errors.ts, with 'skew' added to TimelineSourceName.
export const TIMELINE_SOURCES: readonly TimelineSource[] = [releasesSource, minimumSource, waveSource, alertsSource, stormsSource, refusalsSource, stalewatchSource]
