import { shortVersion } from '@/lib/charts/version-label'

/** A version where space is tight: its short form (lib/charts/version-label.ts), the whole version on hover. */
export function VersionText({ version }: { version: string }) {
  return (
    <code className="version" title={version}>
      {shortVersion(version)}
    </code>
  )
}
