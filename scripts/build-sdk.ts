// Builds the browser SDK (sdk/src) with esbuild:
//   dist/sdk/index.mjs        the core, ESM, minified (budget: 1536 bytes gzip -9)
//   dist/sdk/{react,next,prompt,headers,chunks}.mjs   add-ons importing ./index.mjs
//   dist/sdk/stalewatch.js    script-tag build (IIFE, window.Stalewatch, auto-init)
//   dist/sdk/*.d.ts           type declarations (tsc)
//   public/sdk.js             copy of stalewatch.js that the app serves (git-ignored)
// Run: npx tsx scripts/build-sdk.ts [--out DIR] [--no-public] [--no-types]
import { build, type Plugin } from 'esbuild'
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'

export const CORE_BUDGET_BYTES = 1536

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const sdk = path.join(root, 'sdk/src')
const ADDONS = ['react', 'next', 'prompt', 'headers', 'chunks', 'reloads'] as const

export interface BuildOptions {
  /** Default dist/sdk in the repo. */
  outDir?: string
  /** Where to copy the script-tag build; false to skip. Default public/sdk.js. */
  publicFile?: string | false
  /** Emit .d.ts files (slower). Default true. */
  types?: boolean
}

export interface BuiltFile {
  path: string
  bytes: number
  gzipBytes: number
}

export const gzipSize = (data: Uint8Array | string): number => gzipSync(data, { level: 9 }).length

// Add-ons share the core's state: their `./index` import stays an import of ./index.mjs.
const coreExternal: Plugin = {
  name: 'core-external',
  setup(b) {
    b.onResolve({ filter: /^\.\/index$/ }, () => ({ path: './index.mjs', external: true }))
  },
}

const common = { bundle: true, minify: true, target: 'es2020', logLevel: 'silent' } as const

export async function buildSdk(options: BuildOptions = {}): Promise<{ files: BuiltFile[]; coreGzipBytes: number }> {
  const outDir = path.resolve(options.outDir ?? path.join(root, 'dist/sdk'))
  mkdirSync(outDir, { recursive: true })
  const written: string[] = []

  const core = path.join(outDir, 'index.mjs')
  await build({ ...common, entryPoints: [path.join(sdk, 'index.ts')], format: 'esm', outfile: core })
  written.push(core)

  for (const name of ADDONS) {
    const out = path.join(outDir, `${name}.mjs`)
    await build({
      ...common,
      entryPoints: [path.join(sdk, `${name}.ts`)],
      format: 'esm',
      outfile: out,
      external: ['react'],
      plugins: [coreExternal],
    })
    written.push(out)
  }

  const iife = path.join(outDir, 'stalewatch.js')
  await build({ ...common, entryPoints: [path.join(sdk, 'iife.ts')], format: 'iife', globalName: 'Stalewatch', outfile: iife })
  written.push(iife)

  const publicFile = options.publicFile ?? path.join(root, 'public/sdk.js')
  if (publicFile) {
    mkdirSync(path.dirname(publicFile), { recursive: true })
    copyFileSync(iife, publicFile)
    written.push(publicFile)
  }

  if (options.types !== false) written.push(...(await emitTypes(outDir)))

  const files = written.map((p) => {
    const data = readFileSync(p)
    return { path: p, bytes: data.length, gzipBytes: gzipSize(data) }
  })
  return { files, coreGzipBytes: files[0]!.gzipBytes }
}

// Declarations via the TypeScript compiler into <out>/types/, plus one
// re-exporting .d.ts per built module next to it.
async function emitTypes(outDir: string): Promise<string[]> {
  const ts = (await import('typescript')).default
  const typesDir = path.join(outDir, 'types')
  const entries = ['index', ...ADDONS, 'iife'].map((n) => path.join(sdk, `${n}.ts`))
  const program = ts.createProgram(entries, {
    declaration: true,
    emitDeclarationOnly: true,
    rootDir: sdk,
    outDir: typesDir,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.dom.d.ts', 'lib.es2023.d.ts'],
    types: ['node'],
    strict: true,
    skipLibCheck: true,
  })
  const result = program.emit()
  const errors = ts.getPreEmitDiagnostics(program).concat(result.diagnostics)
  if (errors.length) throw new Error(ts.formatDiagnostics(errors, ts.createCompilerHost({})))
  const written: string[] = []
  for (const name of ['index', ...ADDONS]) {
    const file = path.join(outDir, `${name}.d.ts`)
    writeFileSync(file, `export * from './types/${name}'\n`)
    written.push(file)
  }
  const iifeTypes = path.join(outDir, 'stalewatch.d.ts')
  writeFileSync(iifeTypes, `export * from './types/iife'\n`)
  written.push(iifeTypes)
  return written
}

const HELP = `Usage: npx tsx scripts/build-sdk.ts [options]

Builds the browser SDK from sdk/src with esbuild:
  dist/sdk/index.mjs      core, ESM, minified (budget ${CORE_BUDGET_BYTES} bytes min+gzip)
  dist/sdk/*.mjs          add-ons: react, next, prompt, headers, chunks
  dist/sdk/stalewatch.js  script-tag build exposing window.Stalewatch
  dist/sdk/*.d.ts         type declarations
  public/sdk.js           copy of stalewatch.js served by the app

Options:
  --out DIR     write to DIR instead of dist/sdk
  --no-public   do not write public/sdk.js
  --no-types    skip the .d.ts files
  --help        show this help
`

async function main(argv: string[]) {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP)
    return
  }
  const out = argv.indexOf('--out')
  const { files, coreGzipBytes } = await buildSdk({
    outDir: out >= 0 ? argv[out + 1] : undefined,
    publicFile: argv.includes('--no-public') ? false : undefined,
    types: !argv.includes('--no-types'),
  })
  for (const f of files) {
    const name = path.relative(process.cwd(), f.path)
    console.log(`wrote ${name.padEnd(32)} ${String(f.bytes).padStart(6)} B  ${String(f.gzipBytes).padStart(5)} B gzip`)
  }
  const ok = coreGzipBytes <= CORE_BUDGET_BYTES
  console.log(`core (index.mjs): ${coreGzipBytes} B min+gzip, budget ${CORE_BUDGET_BYTES} B: ${ok ? 'ok' : 'OVER BUDGET'}`)
  if (!ok) process.exitCode = 1
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err)
    process.exitCode = 1
  })
}
