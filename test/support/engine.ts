import { beforeAll } from 'vitest'
import { migrate } from '@/lib/store/migrate'
import { createProject, type CreatedProject } from '@/lib/projects/project-store'

// Integration tests run against the real embedded engine. setup-env.ts gave
// this test file's process its own data directory; this applies the schema
// once per file. Each test then makes its own project, so tests never see
// each other's rows.

export function useEngine(): void {
  beforeAll(async () => {
    await migrate(undefined, () => undefined)
  })
}

let counter = 0

export async function testProject(name = 'test'): Promise<CreatedProject> {
  counter++
  return createProject({ name: `${name}-${counter}` })
}
