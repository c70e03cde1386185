// Tests that run the whole app build it first when the sources changed; the
// same check serves the bench (scripts/app-build.ts).
export { distDir, ensureAppBuild } from '../../scripts/app-build'
