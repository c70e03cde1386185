import { expectTypeOf, it } from 'vitest'
import type * as Server from '../../lib/wire-format'
import type * as Sdk from '../../sdk/src/wire'

// The SDK defines the wire format for itself (it shares no code with the
// server); the server's schema is checked against lib/wire-format.ts. These
// equalities are checked by `npm run typecheck`, so the two cannot drift.
it('the SDK sends exactly the wire format the server validates', () => {
  expectTypeOf<Sdk.WireEvent>().toEqualTypeOf<Server.WireEvent>()
  expectTypeOf<Sdk.IngestEnvelope>().toEqualTypeOf<Server.IngestEnvelope>()
  expectTypeOf<Sdk.HeaderAnswer>().toEqualTypeOf<Server.HeaderAnswer>()
  expectTypeOf<Sdk.ReloadReason>().toEqualTypeOf<Server.ReloadReason>()
  expectTypeOf<Sdk.Navigation>().toEqualTypeOf<Server.Navigation>()
})
