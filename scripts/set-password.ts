import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { readSetting } from '../lib/config'

const HELP = `Usage: npm run set-password [-- --stdin]

Sets the dashboard password: writes its scrypt hash (never the password) to
<data dir>/admin-password with mode 0600. The data directory is
STALEWATCH_DATA_DIR (default ./data). The running server reads the file on
each login, so no restart is needed. STALEWATCH_ADMIN_PASSWORD, when set on
the server, takes precedence over the file.

Options:
  --stdin   read the password from the first line of standard input
            (for scripts: echo "$PW" | npm run set-password -- --stdin)
  --help    this text

Without --stdin it asks twice on the terminal, without echoing.`

function ask(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true })
    // Echo nothing of what is typed: only the prompt itself is written.
    const output = rl as unknown as { _writeToOutput: (s: string) => void }
    let prompted = false
    output._writeToOutput = (s: string) => {
      if (!prompted) {
        process.stdout.write(s)
        prompted = true
      }
    }
    rl.question(question, (answer) => {
      rl.close()
      process.stdout.write('\n')
      resolve(answer)
    })
  })
}

async function readFirstLine(): Promise<string> {
  const rl = createInterface({ input: process.stdin })
  for await (const line of rl) {
    rl.close()
    return line
  }
  return ''
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { stdin: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } })
  if (values.help) return console.log(HELP)
  let password: string
  if (values.stdin) password = (await readFirstLine()).replace(/\r$/, '')
  else {
    if (!process.stdin.isTTY) throw new Error('no terminal to ask on: pass --stdin and pipe the password in')
    password = await ask('New dashboard password: ')
    if ((await ask('Repeat it: ')) !== password) throw new Error('the two passwords differ; nothing was changed')
  }
  const { writePasswordFile } = await import('../lib/auth/password')
  console.log('Hashing (scrypt)…')
  const file = await writePasswordFile(password)
  console.log(`Password set: its scrypt hash is in ${file}.`)
  if (readSetting('adminPassword')) console.log('Note: STALEWATCH_ADMIN_PASSWORD is set here and takes precedence over the file.')
}

main().catch((error: unknown) => {
  console.error(`set-password failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
