import tseslint from 'typescript-eslint'

// Lint = typescript-eslint's recommended rules plus the room rules of
// ../shared/design/ARCHITECTURE.md, so a wrong import fails `npm test`.
const restrict = (files, patterns) => ({
  files,
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
})

export default tseslint.config(
  { ignores: ['.scratch/**', 'node_modules/**', '.next/**', '.next-*/**', 'bench-results/**', '*.build-lock/**', 'dist/**', 'sdk/dist/**', 'public/**', 'data/**', 'test/artifacts/**', 'next-env.d.ts'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  restrict(['lib/**/*.ts', 'lib/**/*.tsx'], [
    { group: ['@/app/*', '**/app/*', '@/ingest/*', '**/ingest/*'], message: 'lib/ knows neither app/ nor ingest/.' },
    { group: ['next', 'next/*'], message: 'lib/ does not depend on how it is served.', allowTypeImports: true },
  ]),
  restrict(['ingest/**/*.ts'], [
    { group: ['@/app/*', '**/app/*'], message: 'ingest/ does not import app/.' },
    { group: ['next', 'next/*'], message: 'ingest/ knows nothing of Next.js.' },
  ]),
  restrict(['sdk/src/**/*.ts'], [
    { group: ['../*', '@/*', 'node:*'], message: 'The SDK is its own package: it imports nothing outside sdk/ (its wire types are its own, sdk/src/wire.ts).' },
  ]),
  restrict(['lib/queries/**/*.ts'], [
    { group: ['@/app/*', '**/app/*', '@/ingest/*', '**/ingest/*'], message: 'Queries read the store only.' },
  ]),
)
