import { describe, expect, it } from 'vitest'
import { updateAdvice, type ProjectCatalog } from '@/lib/releases/catalog'

// What an ingest answer tells a tab (docs/semantics.md, What a tab is told):
// latest and below-the-minimum rest on registered releases alone, never on
// first-seen times, which anyone holding the public ingest key can make.

const T0 = Date.UTC(2026, 10, 1, 12)
const catalog = (overrides: Partial<ProjectCatalog> = {}): ProjectCatalog => ({
  releases: [],
  firstSeen: new Map([['1.0.0', T0]]),
  minSupportedChanges: [],
  loadedAt: T0,
  ...overrides,
})

describe('updateAdvice', () => {
  it('names no latest without a registered release, whatever versions were seen', () => {
    const seen = catalog({ firstSeen: new Map([['1.0.0', T0], ['1.1.0', T0 + 1000]]) })
    expect(updateAdvice(seen, '1.0.0', T0 + 60_000).latest).toBeNull()
    expect(updateAdvice(seen, '9.9.9', T0 + 60_000).latest).toBeNull()
  })

  it('keeps the registered latest release whatever version reports', () => {
    const registered = catalog({ releases: [{ version: '1.0.0', releasedAt: T0 }], firstSeen: new Map([['1.1.0', T0 + 1000]]) })
    expect(updateAdvice(registered, '1.1.0', T0 + 60_000).latest).toBe('1.0.0')
  })

  it('puts a version below the minimum only when both are registered releases ordered so', () => {
    const withMinimum = catalog({
      releases: [
        { version: '1.0.0', releasedAt: T0 },
        { version: '2.0.0', releasedAt: T0 + 1000 },
      ],
      minSupportedChanges: [{ version: '2.0.0', changedAt: T0 + 2000 }],
      // A version first seen before everything: only the public key says so.
      firstSeen: new Map([['0.1.0-forged', T0 - 86_400_000]]),
    })
    expect(updateAdvice(withMinimum, '1.0.0', T0 + 60_000)).toMatchObject({ latest: '2.0.0', minSupported: '2.0.0', belowMinimum: true })
    expect(updateAdvice(withMinimum, '2.0.0', T0 + 60_000)).toMatchObject({ belowMinimum: false })
    expect(updateAdvice(withMinimum, '0.1.0-forged', T0 + 60_000)).toMatchObject({ belowMinimum: false })
  })

  it('tells no tab it is below a minimum that is not a registered release', () => {
    const unregisteredMinimum = catalog({
      firstSeen: new Map([['1.0.0', T0], ['2.0.0', T0 + 1000]]),
      minSupportedChanges: [{ version: '2.0.0', changedAt: T0 + 2000 }],
    })
    expect(updateAdvice(unregisteredMinimum, '1.0.0', T0 + 60_000)).toEqual({ latest: null, minSupported: '2.0.0', belowMinimum: false })
  })
})
