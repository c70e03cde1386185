// Checks of the events table that can run only after the app has stopped
// (chDB lets one process at a time open a data directory). Each test adds
// the checks of its own project when its scenario has run; the file's
// afterAll stops the app and runs them all, naming the test of each failure.
// So no test depends on another having run before it.

export interface StoredChecks {
  add: (test: string, check: () => Promise<void>) => void
  /** Stops the app, then runs every check added; throws one error naming each failed test. */
  runAfter: (stopApp: () => Promise<unknown>) => Promise<void>
}

export function storedChecks(): StoredChecks {
  const checks: { test: string; check: () => Promise<void> }[] = []
  return {
    add: (test, check) => void checks.push({ test, check }),
    async runAfter(stopApp) {
      await stopApp()
      const failures: string[] = []
      for (const { test, check } of checks) {
        try {
          await check()
        } catch (error) {
          failures.push(`${test}: ${error instanceof Error ? error.message : String(error)}`)
        }
      }
      if (failures.length > 0) throw new Error(`stored events:\n${failures.join('\n')}`)
    },
  }
}
