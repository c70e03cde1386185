import type { Migration } from './types'
import { migration as m0001 } from './0001_initial'

// Ordered list of every migration. Add new files as NNNN_name.ts and list them here.
export const migrations: readonly Migration[] = [m0001]
