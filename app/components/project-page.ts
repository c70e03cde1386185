import { requireDashboardSession } from '@/app/dashboard-session'
import { listProjects } from '@/lib/projects/project-store'
import type { Project } from '@/lib/projects/project'

/** Every dashboard page starts here: a session, the projects, and the one asked for (or the first). */
export async function projectPage(requested: string | undefined): Promise<{ projects: Project[]; project: Project | undefined }> {
  await requireDashboardSession()
  const projects = await listProjects()
  return { projects, project: projects.find((p) => p.id === requested) ?? projects[0] }
}
