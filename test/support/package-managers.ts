// The README's commands for each package manager ("Install the package"), as
// the README shows them (test/docs/examples.test.ts holds the two equal),
// and how the real-app tests run them. pnpm is not one of the repository's
// dependencies: the tests run a pinned release of it through npx.

export type PackageManager = 'npm' | 'pnpm' | 'yarn'

/** Where the README's tarball commands put the tarball's path. */
export const TARBALL = '/path/to/stalewatch-0.1.0.tgz'

export const README_COMMANDS: Record<PackageManager, { registry: string; tarball: string; cli: string; build: string }> = {
  npm: { registry: 'npm install stalewatch', tarball: `npm install ${TARBALL}`, cli: 'npx stalewatch', build: 'npm run build' },
  pnpm: { registry: 'pnpm add stalewatch', tarball: `pnpm add ${TARBALL}`, cli: 'pnpm exec stalewatch', build: 'pnpm run build' },
  yarn: { registry: 'yarn add stalewatch', tarball: `yarn add stalewatch@file:${TARBALL}`, cli: 'yarn stalewatch', build: 'yarn build' },
}

export const PNPM = 'pnpm@10.34.9'

/** The program and arguments of a command line as a person types it (words split on spaces). */
export function argv(line: string): [string, string[]] {
  const [tool, ...args] = line.split(' ')
  return tool === 'pnpm' ? ['npx', ['--yes', PNPM, ...args]] : [tool!, args]
}
