import { requireDashboardSession } from '@/app/dashboard-session'
import { allProjects, projectById } from '@/lib/projects/project-directory'
import type { Project } from '@/lib/projects/project'

/** Every dashboard page starts here: a session, the projects, and the one asked for (or the first). */
export async function projectPage(requested: string | undefined): Promise<{ projects: Project[]; project: Project | undefined }> {
  await requireDashboardSession()
  // From the in-memory directory, not a query per page: twenty open dashboards would read the projects table at every refresh.
  let projects = await allProjects()
  // One made on another node seconds ago: the directory looks again (at most once a second).
  if (requested && !projects.some((p) => p.id === requested) && (await projectById(requested))) projects = await allProjects()
  return { projects, project: projects.find((p) => p.id === requested) ?? projects[0] }
}
