// `stalewatch ng build …` (cli.ts): the Angular CLI's build with the version
// (and STALEWATCH_KEY / STALEWATCH_URL) baked in. Angular's builder takes no
// plugin from angular.json, and its `define` there is a fixed value; its
// command line takes `--define NAME=VALUE`, which this adds, from the same
// rule as every other helper (version.ts), so `"build": "stalewatch ng build"`
// in package.json is the whole change. Build side only.
import { bake, defines, logBaked } from './bake'

type Env = Record<string, string | undefined>

/** The arguments for ng: the caller's, then one --define per baked constant. */
export const ngArgs = (args: string[], env: Env): string[] => {
  const baked = bake({}, env)
  return [...args, ...Object.entries(defines(baked)).flatMap(([name, code]) => ['--define', `${name}=${code}`])]
}

/** Runs ng (from node_modules/.bin, as an npm script finds it); resolves to its exit code. */
export function runNg(args: string[], env: Env, out: (line: string) => void): number {
  logBaked(bake({}, env), out)
  const childProcess = (process as unknown as { getBuiltinModule: (id: string) => unknown }).getBuiltinModule('node:child_process') as typeof import('node:child_process')
  // Windows runs ng.cmd, a batch file: only through a shell.
  const r = childProcess.spawnSync('ng', ngArgs(args, env), { stdio: 'inherit', env: env as NodeJS.ProcessEnv, shell: process.platform == 'win32' })
  if (r.error) out(`stalewatch: could not run ng: ${r.error.message}`)
  return r.status ?? 1
}
