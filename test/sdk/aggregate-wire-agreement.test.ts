import { expect, expectTypeOf, it } from 'vitest'
import fc from 'fast-check'
import type * as Server from '../../lib/backend-load-wire'
import { AGGREGATE_LIMITS } from '../../lib/backend-load-wire'
import type * as Sdk from '../../sdk/src/server/wire'
import { SEND_LIMITS } from '../../sdk/src/server/wire'
import { UNKNOWN, versionLabel } from '../../sdk/src/server/labels'
import { versionString } from '../../lib/validation'
import { WIRE_LIMITS } from '../../lib/wire-format'

// The server middleware defines the aggregate format for itself (the SDK
// shares no code with the server). The type equalities are checked by
// `npm run typecheck`; the limits and the version rule at run time.
it('the middleware sends exactly the aggregate format the server validates', () => {
  expectTypeOf<Sdk.AggregateItem>().toEqualTypeOf<Server.AggregateItem>()
  expectTypeOf<Sdk.AggregateEnvelope>().toEqualTypeOf<Server.AggregateEnvelope>()
  expectTypeOf<Sdk.AggregateAnswer>().toEqualTypeOf<Server.AggregateAnswer>()
  expectTypeOf<Sdk.LoadKind>().toEqualTypeOf<Server.LoadKind>()
  expectTypeOf<Sdk.StatusClass>().toEqualTypeOf<Server.StatusClass>()
  expect(SEND_LIMITS).toEqual({
    maxItems: AGGREGATE_LIMITS.maxItems,
    maxVersions: AGGREGATE_LIMITS.maxVersionsPerRequest,
    maxRoutes: AGGREGATE_LIMITS.maxRoutesPerRequest,
    maxRouteLength: AGGREGATE_LIMITS.maxRouteLength,
    maxVersionLength: WIRE_LIMITS.maxVersionLength,
  })
})

it('the middleware keeps a version exactly when the server accepts it, and counts the rest as unknown', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 70 }), fc.string({ unit: 'binary', maxLength: 70 })), (raw) => {
      const accepted = versionString.safeParse(raw).success
      expect(versionLabel(raw)).toBe(accepted ? raw : UNKNOWN)
    }),
    { numRuns: 2000 },
  )
})
