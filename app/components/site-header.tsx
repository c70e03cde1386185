import type { Project } from '@/lib/projects/project'
import { LogoutForm } from '../login/logout-form'
import { ThemeToggle } from './theme-toggle'

export type Section = 'overview' | 'releases' | 'explorer' | 'timeline' | 'alerts' | 'rollout'

const SECTIONS: { id: Section; label: string; path: string }[] = [
  { id: 'overview', label: 'Overview', path: '/' },
  { id: 'releases', label: 'Releases', path: '/releases' },
  { id: 'explorer', label: 'Explorer', path: '/explorer' },
  { id: 'timeline', label: 'Timeline', path: '/timeline' },
  { id: 'alerts', label: 'Alerts', path: '/alerts' },
  { id: 'rollout', label: 'Rollout', path: '/rollout' },
]

/** Top bar: sections for the current project, the project switcher, theme and log out. */
export function SiteHeader({ projects, current, section }: { projects: Project[]; current: Project | undefined; section: Section }) {
  const path = SECTIONS.find((s) => s.id === section)!.path
  return (
    <header className="top">
      <h1>Stalewatch</h1>
      <nav aria-label="Sections" className="sections">
        {SECTIONS.map((s) => (
          <a key={s.id} href={current ? `${s.path}?project=${encodeURIComponent(current.id)}` : s.path} aria-current={s.id === section ? 'page' : undefined}>
            {s.label}
          </a>
        ))}
      </nav>
      {projects.length > 0 ? (
        <nav aria-label="Projects" className="projects">
          {projects.map((p) => (
            <a key={p.id} href={`${path}?project=${encodeURIComponent(p.id)}`} aria-current={p.id === current?.id ? 'true' : undefined}>
              {p.name}
            </a>
          ))}
        </nav>
      ) : null}
      <ThemeToggle />
      <LogoutForm />
    </header>
  )
}
