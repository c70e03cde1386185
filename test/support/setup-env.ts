// Runs before every test file, in its own process: points the embedded engine
// at a fresh data directory so files never see each other's rows.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

if (!process.env.CLICKHOUSE_URL) {
  process.env.STALEWATCH_DATA_DIR = mkdtempSync(path.join(tmpdir(), 'stalewatch-test-'))
}
process.env.STALEWATCH_LOG_LEVEL ??= 'silent'
