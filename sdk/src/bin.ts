// The package's bin (`npx stalewatch …`): runs cli.ts with this process's
// arguments, environment and output.
import { runCli } from './cli'

runCli(process.argv.slice(2), { env: process.env, out: (l) => console.log(l), err: (l) => console.error(l), fetch }).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    console.error(`stalewatch: ${error instanceof Error ? error.message : error}`)
    process.exitCode = 1
  },
)
