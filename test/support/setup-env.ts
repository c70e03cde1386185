// Runs before every test file, in its own process: points the embedded engine
// at a fresh data directory so files never see each other's rows.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

if (!process.env.CLICKHOUSE_URL) {
  process.env.STALEWATCH_DATA_DIR = mkdtempSync(path.join(tmpdir(), 'stalewatch-test-'))
}
process.env.STALEWATCH_LOG_LEVEL ??= 'silent'
// Most tests check a figure right after the 2xx, so they run with the
// acknowledgement after the insert (read-your-writes). The product default
// for the embedded engine, ack once in the ingest log, is set
// (STALEWATCH_INGEST_ACK=logged) by the tests of the log itself
// (test/ingest/log/: a crash, a full disk, a damaged segment, overload) and
// by those that meet a flood as production would.
process.env.STALEWATCH_INGEST_ACK ??= 'stored'
// Test processes stall their event loop with work that says nothing about
// ingest load (module loading, fast-check, migrations); shedding by loop delay
// is tested on its own (test/ingest/edge/loop-pressure.test.ts).
process.env.STALEWATCH_SHED_LOOP_DELAY_MS ??= '0'
