import tseslint from 'typescript-eslint'
import { noImportCycles } from './eslint/no-import-cycles.mjs'

// Lint = typescript-eslint's recommended rules plus the rules of which folder
// may import which (README.md, Layout), so a wrong import fails `npm test`.
const restrict = (files, patterns) => ({
  files,
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
})

const LIB = [
  { group: ['@/app/*', '**/app/*', '@/ingest/*', '**/ingest/*'], message: 'lib/ knows neither app/ nor ingest/.' },
  { group: ['next', 'next/*'], message: 'lib/ does not depend on how it is served.', allowTypeImports: true },
]
// Product code reaches into the SDK package only for its wire protocol; the
// simulator (scripts/simulator/) runs the SDK's middleware and may import more.
const SDK_WIRE_ONLY = {
  group: ['**/sdk/src/*', '!**/sdk/src/wire', '!**/sdk/src/server', '**/sdk/src/server/*', '!**/sdk/src/server/wire'],
  message: 'Product code imports from the SDK package only its wire protocol (sdk/src/wire.ts, sdk/src/server/wire.ts).',
}

export default tseslint.config(
  { ignores: ['.scratch/**', 'node_modules/**', '.next/**', '.next-*/**', 'bench-results/**', '*.build-lock/**', 'dist/**', 'sdk/dist/**', 'public/**', 'data/**', 'test/artifacts/**', 'docs/examples/**', 'next-env.d.ts'] },
  ...tseslint.configs.recommended,
  {
    // No file may stand in an import cycle (ARCHITECTURE.md): tests aside, they may import anything.
    files: ['**/*.ts', '**/*.tsx', '**/*.mjs'],
    ignores: ['test/**'],
    plugins: { stalewatch: { rules: { 'no-import-cycles': noImportCycles } } },
    rules: { 'stalewatch/no-import-cycles': 'error' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  restrict(['lib/**/*.ts', 'lib/**/*.tsx'], [...LIB, SDK_WIRE_ONLY]),
  restrict(['ingest/**/*.ts'], [
    { group: ['@/app/*', '**/app/*'], message: 'ingest/ does not import app/.' },
    { group: ['next', 'next/*'], message: 'ingest/ knows nothing of Next.js.' },
    SDK_WIRE_ONLY,
  ]),
  restrict(['app/**/*.ts', 'app/**/*.tsx', 'server.ts'], [SDK_WIRE_ONLY]),
  restrict(['sdk/src/**/*.ts'], [
    { group: ['../*', '@/*', 'node:*'], message: 'The SDK is its own package: it imports nothing outside sdk/ (its wire types are its own, sdk/src/wire.ts).' },
  ]),
  // The server middleware lives one folder down (sdk/src/server/): it may reach
  // the SDK's own modules one level up (the tag names it shares with the
  // browser's tagging), still nothing outside sdk/ and no node: modules, so it
  // runs on Node, Bun, Deno and Workers alike.
  restrict(['sdk/src/server/**/*.ts'], [
    { group: ['../../*', '@/*', 'node:*'], message: 'The SDK is its own package: its server middleware imports nothing outside sdk/src/ and no node: modules.' },
  ]),
  // A later entry's options replace an earlier one's for the same rule, so the
  // narrower folders repeat lib/'s patterns.
  restrict(['lib/figures/**/*.ts'], [...LIB, SDK_WIRE_ONLY, { group: ['@/app/*', '**/app/*', '@/ingest/*', '**/ingest/*'], message: 'Figures read the store only.' }]),
  // A migration is history (lib/store/migrations/index.ts): it holds the
  // tables and columns it made as literals, so it may read the DDL helpers and
  // earlier migrations only, never today's definitions.
  restrict(['lib/store/migrations/**/*.ts'], [
    ...LIB,
    SDK_WIRE_ONLY,
    {
      group: ['../*', '!../ddl', '@/*'],
      message: "A migration is history: it holds its tables and columns as literals and imports only ../ddl and earlier migrations, never today's definitions (a figure's table.ts, a column table). A changed definition needs a new migration.",
    },
  ]),
  restrict(['lib/semantics/**/*.ts'], [
    ...LIB,
    SDK_WIRE_ONLY,
    { group: ['**/store/*', '@/lib/store/*', '**/figures/*', '@/lib/figures/*', 'node:*'], message: 'lib/semantics/ is pure: what the numbers mean, without the store.' },
  ]),
)
