import { describe, expect, it } from 'vitest'
import { updateAdvice, type ProjectCatalog } from '@/lib/releases/catalog'

// The ingest answer's advice for a version the catalog has not seen yet: its
// events are on their way to ClickHouse (the ingest log, the catalog's cache),
// so it counts as first seen now.

const T0 = Date.UTC(2026, 10, 1, 12)
const catalog = (overrides: Partial<ProjectCatalog> = {}): ProjectCatalog => ({
  releases: [],
  firstSeen: new Map([['1.0.0', T0]]),
  minSupportedChanges: [],
  loadedAt: T0,
  ...overrides,
})

describe('updateAdvice', () => {
  it('gives a new version, on its first report, as the latest when no release is registered', () => {
    expect(updateAdvice(catalog(), '1.1.0', T0 + 60_000).latest).toBe('1.1.0')
    expect(updateAdvice(catalog(), '1.0.0', T0 + 60_000).latest).toBe('1.0.0')
  })

  it('keeps the registered latest release whatever version reports', () => {
    const registered = catalog({ releases: [{ version: '1.0.0', releasedAt: T0 }] })
    expect(updateAdvice(registered, '1.1.0', T0 + 60_000).latest).toBe('1.0.0')
  })

  it('puts a new version below the minimum only if it is ordered before it', () => {
    const withMinimum = catalog({
      releases: [
        { version: '1.0.0', releasedAt: T0 },
        { version: '2.0.0', releasedAt: T0 + 1000 },
      ],
      minSupportedChanges: [{ version: '2.0.0', changedAt: T0 + 2000 }],
    })
    expect(updateAdvice(withMinimum, '1.0.0', T0 + 60_000)).toMatchObject({ latest: '2.0.0', minSupported: '2.0.0', belowMinimum: true })
    expect(updateAdvice(withMinimum, '2.0.0', T0 + 60_000)).toMatchObject({ belowMinimum: false })
  })
})
