// Builds the stalewatch package (sdk/src) into sdk/dist with esbuild, the way
// `npm pack` ships it (sdk/package.json's exports map names these files):
//   index.mjs             the core, ESM, minified (budget: 1,536 B min+gzip)
//   reloads, prompt, chunks, headers, react, vue, svelte .mjs   browser entry
//                         points; each imports the core (and the prompt) as
//                         ./index.mjs, so one page has one SDK state
//   tag-requests.mjs      the app's own requests tagged with the tab's version (backend load)
//   astro-client.mjs, nuxt-client.mjs   what the Astro integration injects on
//                         every page, the Nuxt module's client plugin
//   react-router.mjs, angular.mjs   the React Router and Angular adapters
//   next.mjs, vite.mjs, astro.mjs, nuxt.mjs   build helpers (Node), cli.mjs + bin.mjs the `stalewatch` command
//   server.mjs            the backend-load middleware for the app's servers (sdk/src/server)
//   stalewatch.js         script-tag build (IIFE, window.Stalewatch, auto-init,
//                         prompt, chunk watching and what automatic reloads
//                         must see from the start): what a page loads at first,
//                         budget 2,400 B min+gzip
//   stalewatch-reloads.js the automatic reloads' rules for the script tag,
//                         loaded by stalewatch.js from beside it once a reload
//                         can matter (sdk/src/iife.ts); runs on its instance
//   *.d.ts                type declarations (tsc)
// and copies the two script-tag files to public/ (sdk.js, stalewatch-reloads.js),
// which the Stalewatch app serves.
// Run: node --import tsx sdk/scripts/build.ts --help
import { build, type Plugin } from 'esbuild'
import { minify } from 'terser'
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'

export const CORE_BUDGET_BYTES = 1536
// What a page with the script tag loads at first: stalewatch.js alone. The
// automatic reloads' rules (stalewatch-reloads.js) come only once a reload can
// matter, and are reported beside it (sdk/src/iife.ts says when).
export const SCRIPT_TAG_BUDGET_BYTES = 2400
/** The script-tag files, as the Stalewatch app serves them from public/ (its own copy of the first is sdk.js). */
export const SCRIPT_TAG_RULES_FILE = 'stalewatch-reloads.js'

const sdk = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const src = path.join(sdk, 'src')
const repo = path.resolve(sdk, '..')

/** Entry points that run in the browser (or during server-side rendering). */
export const BROWSER_ENTRIES = ['index', 'reloads', 'prompt', 'chunks', 'headers', 'react', 'vue', 'svelte', 'tag-requests', 'astro-client', 'react-router', 'nuxt-client', 'angular'] as const
/** Entry points that run in Node at build time or in CI. */
export const NODE_ENTRIES = ['next', 'vite', 'astro', 'nuxt', 'cli', 'bin'] as const
/** Entry points for the app's servers, any runtime (Node, Workers, Deno): name in dist → source under src. */
export const SERVER_ENTRIES = { server: 'server/index' } as const
/** Framework packages the adapters import; peers, never bundled. */
const PEERS = ['react', 'vue', 'svelte', 'svelte/*', 'next', 'vite', '@angular/*', '#app']

export interface BuildOptions {
  /** Default sdk/dist. */
  outDir?: string
  /** Where to copy the script-tag build; false to skip. Default public/sdk.js in the repo. */
  publicFile?: string | false
  /** Emit .d.ts files (slower). Default true. */
  types?: boolean
}

export interface BuiltFile {
  path: string
  bytes: number
  gzipBytes: number
}

export interface BuildResult {
  files: BuiltFile[]
  coreGzipBytes: number
  /** stalewatch.js: what a page with the script tag loads at first. */
  scriptTagGzipBytes: number
  /** stalewatch-reloads.js: loaded by it once a reload can matter. */
  scriptTagRulesGzipBytes: number
}

export const gzipSize = (data: Uint8Array | string): number => gzipSync(data, { level: 9 }).length

const ENTRY_NAMES = new Set<string>([...BROWSER_ENTRIES, ...NODE_ENTRIES])

// An import of another entry point stays an import of its built file, so the
// core (and its state) exists once per page whichever entry points an app uses.
const entriesExternal = (self: string): Plugin => ({
  name: 'entries-external',
  setup(b) {
    b.onResolve({ filter: /^\.\/[\w-]+$/ }, (args) => {
      const name = args.path.slice(2)
      return ENTRY_NAMES.has(name) && name !== self ? { path: `./${name}.mjs`, external: true } : undefined
    })
  },
})

// stalewatch-reloads.js runs on the SDK instance stalewatch.js started, which
// it loads after init(): its imports of the core read window.Stalewatch then.
const coreFromGlobal = (names: string[]): Plugin => ({
  name: 'core-from-global',
  setup(b) {
    b.onResolve({ filter: /^\.\/index$/ }, () => ({ path: 'index', namespace: 'stalewatch-global' }))
    b.onLoad({ filter: /^/, namespace: 'stalewatch-global' }, () => ({
      contents: names.map((n) => `export const ${n} = Stalewatch.${n}`).join('\n'),
      loader: 'js',
    }))
  },
})

// The script-tag files get a second pass by terser after esbuild: its names
// and layout gzip better (stalewatch.js 2,480 -> 2,387 B when measured), and
// that file has a budget. wrap_func_args off: no parentheses around functions
// passed as arguments, which only help engines that parse lazily.
async function terse(file: string): Promise<void> {
  const { code } = await minify(readFileSync(file, 'utf8'), { ecma: 2020, format: { wrap_func_args: false } })
  writeFileSync(file, code!)
}

// tsconfigRaw: the package builds the same whatever tsconfig.json surrounds it
// (the repo's strict mode would add a "use strict" the bundles do not need).
const common = { bundle: true, minify: true, logLevel: 'silent', legalComments: 'none', tsconfigRaw: {} } as const

export async function buildSdk(options: BuildOptions = {}): Promise<BuildResult> {
  const outDir = path.resolve(options.outDir ?? path.join(sdk, 'dist'))
  // Only the package's own dist is cleared: files of a removed entry must not ship.
  if (!options.outDir) rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })
  const written: string[] = []

  for (const name of BROWSER_ENTRIES) {
    const out = path.join(outDir, `${name}.mjs`)
    await build({
      ...common,
      entryPoints: [path.join(src, `${name}.ts`)],
      format: 'esm',
      target: 'es2020',
      outfile: out,
      external: PEERS,
      plugins: [entriesExternal(name)],
      // Next.js's app router needs the directive at the top of the file it imports.
      ...(name === 'react' ? { banner: { js: "'use client';" } } : {}),
    })
    written.push(out)
  }
  for (const name of NODE_ENTRIES) {
    const out = path.join(outDir, `${name}.mjs`)
    await build({
      ...common,
      // Build helpers and the CLI are read by people debugging a build: not minified.
      minify: false,
      entryPoints: [path.join(src, `${name}.ts`)],
      format: 'esm',
      platform: 'node',
      target: 'node18',
      outfile: out,
      external: PEERS,
      plugins: [entriesExternal(name)],
      ...(name === 'bin' ? { banner: { js: '#!/usr/bin/env node' } } : {}),
    })
    written.push(out)
  }

  for (const [name, source] of Object.entries(SERVER_ENTRIES)) {
    const out = path.join(outDir, `${name}.mjs`)
    await build({ ...common, minify: false, entryPoints: [path.join(src, `${source}.ts`)], format: 'esm', platform: 'neutral', target: 'es2022', outfile: out })
    written.push(out)
  }

  const iife = path.join(outDir, 'stalewatch.js')
  await build({ ...common, entryPoints: [path.join(src, 'iife.ts')], format: 'iife', target: 'es2020', outfile: iife })
  const rules = path.join(outDir, SCRIPT_TAG_RULES_FILE)
  // Sorted: a module's export names come in another order under vitest than under node.
  const coreNames = Object.keys(await import('../src/index')).sort()
  await build({ ...common, entryPoints: [path.join(src, 'iife-reloads.ts')], format: 'iife', target: 'es2020', outfile: rules, plugins: [coreFromGlobal(coreNames)] })
  for (const file of [iife, rules]) await terse(file)
  written.push(iife, rules)

  // The app serves the rules beside sdk.js: stalewatch.js imports them from beside itself.
  const publicFile = options.publicFile ?? path.join(repo, 'public/sdk.js')
  if (publicFile) {
    mkdirSync(path.dirname(publicFile), { recursive: true })
    const publicRules = path.join(path.dirname(publicFile), SCRIPT_TAG_RULES_FILE)
    copyFileSync(iife, publicFile)
    copyFileSync(rules, publicRules)
    written.push(publicFile, publicRules)
  }

  if (options.types !== false) written.push(...(await emitTypes(outDir)))

  const files = written.map((p) => {
    const data = readFileSync(p)
    return { path: p, bytes: data.length, gzipBytes: gzipSize(data) }
  })
  const size = (file: string) => files.find((f) => f.path === file)!.gzipBytes
  return { files, coreGzipBytes: size(path.join(outDir, 'index.mjs')), scriptTagGzipBytes: size(iife), scriptTagRulesGzipBytes: size(rules) }
}

// Declarations by the TypeScript compiler, one .d.ts beside each built file.
// Relative imports get a .js suffix so that consumers resolving as Node does
// (moduleResolution node16/nodenext) find them as well as bundlers do.
async function emitTypes(outDir: string): Promise<string[]> {
  const ts = (await import('typescript')).default
  const entries = [...BROWSER_ENTRIES, ...NODE_ENTRIES, ...Object.values(SERVER_ENTRIES), 'iife'].map((n) => path.join(src, `${n}.ts`))
  // Angular's and Nuxt's types, for their adapters' checks (*-peers.d.ts): neither is a dependency of this repository.
  entries.push(path.join(src, 'angular-peers.d.ts'), path.join(src, 'nuxt-peers.d.ts'))
  const program = ts.createProgram(entries, {
    declaration: true,
    emitDeclarationOnly: true,
    rootDir: src,
    outDir,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.dom.d.ts', 'lib.dom.iterable.d.ts', 'lib.es2023.d.ts'],
    types: ['node'],
    strict: true,
    skipLibCheck: true,
  })
  const result = program.emit()
  const errors = ts.getPreEmitDiagnostics(program).concat(result.diagnostics)
  if (errors.length) throw new Error(ts.formatDiagnostics(errors, ts.createCompilerHost({})))
  const written: string[] = []
  for (const file of readdirSync(outDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.d.ts'))) {
    const full = path.join(outDir, file)
    writeFileSync(full, readFileSync(full, 'utf8').replace(/(from |import\()'(\.\.?\/[\w/-]+)'/g, "$1'$2.js'"))
    written.push(full)
  }
  // Server entry points' declarations under the name of their built file.
  for (const [name, source] of Object.entries(SERVER_ENTRIES)) {
    const file = path.join(outDir, `${name}.d.ts`)
    writeFileSync(file, `export * from './${source}.js'\n`)
    written.push(file)
  }
  // The script-tag build's declarations under the name of its file.
  const iifeTypes = path.join(outDir, 'stalewatch.d.ts')
  writeFileSync(iifeTypes, "export * from './iife.js'\n")
  written.push(iifeTypes)
  return written
}

const HELP = `Usage: node --import tsx sdk/scripts/build.ts [options]
       (npm run build:sdk at the repo root; npm pack in sdk/ runs it first)

Builds the stalewatch package from sdk/src into sdk/dist with esbuild:
  index.mjs           the core, ESM (budget ${CORE_BUDGET_BYTES} B min+gzip)
  *.mjs               entry points: ${[...BROWSER_ENTRIES.slice(1), ...NODE_ENTRIES, ...Object.keys(SERVER_ENTRIES)].join(', ')}
  stalewatch.js       script-tag build exposing window.Stalewatch: what a page
                      loads at first (budget ${SCRIPT_TAG_BUDGET_BYTES} B min+gzip)
  ${SCRIPT_TAG_RULES_FILE}  its automatic reloads' rules, loaded from beside it
                      once a reload can matter (size reported, no budget)
  *.d.ts              type declarations
then terser on the two script-tag files, and copies them to public/sdk.js and
public/${SCRIPT_TAG_RULES_FILE}, which the Stalewatch app serves.
Prints each file's size; exits 1 when a budget is exceeded.

Options:
  --out DIR     write to DIR instead of sdk/dist
  --no-public   do not write the copies in public/
  --no-types    skip the .d.ts files
  --help        show this help
`

async function main(argv: string[]) {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP)
    return
  }
  const out = argv.indexOf('--out')
  const { files, coreGzipBytes, scriptTagGzipBytes, scriptTagRulesGzipBytes } = await buildSdk({
    outDir: out >= 0 ? argv[out + 1] : undefined,
    publicFile: argv.includes('--no-public') ? false : undefined,
    types: !argv.includes('--no-types'),
  })
  for (const f of files.filter((f) => !f.path.endsWith('.d.ts'))) {
    const name = path.relative(process.cwd(), f.path)
    console.log(`wrote ${name.padEnd(36)} ${String(f.bytes).padStart(6)} B  ${String(f.gzipBytes).padStart(5)} B gzip`)
  }
  console.log(`wrote ${files.filter((f) => f.path.endsWith('.d.ts')).length} .d.ts files`)
  let over = false
  for (const [what, bytes, budget] of [
    ['core (index.mjs)', coreGzipBytes, CORE_BUDGET_BYTES],
    ['script tag at first (stalewatch.js)', scriptTagGzipBytes, SCRIPT_TAG_BUDGET_BYTES],
  ] as const) {
    over ||= bytes > budget
    console.log(`${what}: ${bytes} B min+gzip, budget ${budget} B: ${bytes <= budget ? 'ok' : 'OVER BUDGET'}`)
  }
  console.log(`script tag's reload rules (${SCRIPT_TAG_RULES_FILE}, loaded once a reload can matter): ${scriptTagRulesGzipBytes} B min+gzip`)
  if (over) process.exitCode = 1
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err)
    process.exitCode = 1
  })
}
