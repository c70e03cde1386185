import type { DdlContext } from '../ddl'

export interface MigrationContext extends DdlContext {
  retentionDays: number
}

/**
 * A numbered schema step. Statements must be idempotent (IF NOT EXISTS):
 * a run interrupted halfway is simply run again.
 */
export interface Migration {
  version: number
  name: string
  statements: (ctx: MigrationContext) => string[]
}
