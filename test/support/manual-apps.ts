import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

// Apps made as the frameworks' own docs make them by hand, for the
// frameworks whose scaffolders fetch their templates from the network
// (create-astro, create-react-router, create-nuxt): each page's commands, in
// order, and the files it says to write, with the framework's packages pinned
// to releases that run on this machine's Node (20). Every package comes from
// the npm registry. What an app adds beyond its page (a second page, view
// transitions) is said where it is.

export interface ManualApp {
  /** The docs page followed. */
  docs: string
  /** The commands the page gives, run in the app's folder in order after `npm init --yes` (words split on spaces). */
  commands: string[]
  /** What the page puts in package.json (its scripts; `type`). */
  packageJson: Record<string, unknown>
  /** The files the page writes: path in the app → contents. */
  files: Record<string, string>
}

export const ASTRO_VERSION = '5.18.2'
export const REACT_ROUTER_VERSION = '7.18.7'
export const NUXT_VERSION = '4.4.4'

const astroPage = (title: string, body: string) => `---
import { ClientRouter } from "astro:transitions";
---
<html>
  <head>
    <title>${title}</title>
    <ClientRouter />
  </head>
  <body>
    ${body}
  </body>
</html>
`

export const MANUAL_APPS = {
  // https://docs.astro.build/en/install/manual/ (steps 1 to 5), plus a second
  // page and view transitions (<ClientRouter />, as
  // https://docs.astro.build/en/guides/view-transitions/ adds them) on both.
  astro: {
    docs: 'https://docs.astro.build/en/install/manual/',
    commands: [`npm install astro@${ASTRO_VERSION}`],
    packageJson: { scripts: { dev: 'astro dev', build: 'astro build', preview: 'astro preview' } },
    files: {
      'src/pages/index.astro': astroPage('Hello, World!', '<h1>Hello, World!</h1>\n    <a href="/about/">About</a>'),
      'src/pages/about.astro': astroPage('About', '<h1>About</h1>\n    <a href="/">Home</a>'),
      'public/robots.txt': '# Example: Allow all bots to scan and index your site.\n# Full syntax: https://developers.google.com/search/docs/advanced/robots/create-robots-txt\nUser-agent: *\nAllow: /\n',
      'astro.config.mjs': 'import { defineConfig } from "astro/config";\n\n// https://astro.build/config\nexport default defineConfig({});\n',
    },
  },
  // https://reactrouter.com/tutorials/quickstart (framework mode, from
  // scratch: the commands, vite.config.js, app/root.jsx, app/routes.js, type
  // module), with the build and start scripts its templates have (the page
  // runs `npx react-router build` and `npx react-router-serve
  // build/server/index.js`).
  'react-router': {
    docs: 'https://reactrouter.com/tutorials/quickstart',
    commands: [
      `npm i react-router@${REACT_ROUTER_VERSION} @react-router/node@${REACT_ROUTER_VERSION} @react-router/serve@${REACT_ROUTER_VERSION} isbot react react-dom`,
      `npm i -D @react-router/dev@${REACT_ROUTER_VERSION} vite@7`,
    ],
    packageJson: { type: 'module', scripts: { build: 'react-router build', start: 'react-router-serve ./build/server/index.js' } },
    files: {
      'vite.config.js': 'import { reactRouter } from "@react-router/dev/vite";\nimport { defineConfig } from "vite";\n\nexport default defineConfig({\n  plugins: [reactRouter()],\n});\n',
      'app/root.jsx': `import { Outlet, Scripts } from "react-router";

export default function App() {
  return (
    <html>
      <head>
        <link
          rel="icon"
          href="data:image/x-icon;base64,AA"
        />
      </head>
      <body>
        <h1>Hello world!</h1>
        <Outlet />
        <Scripts />
      </body>
    </html>
  );
}
`,
      'app/routes.js': 'export default [];\n',
    },
  },
  // https://nuxt.com/docs/guide/directory-structure/package (the minimal
  // package.json: its scripts and dependencies, pinned here) and
  // https://nuxt.com/docs/guide/directory-structure/app (app/app.vue), with
  // nuxt.config.ts as https://nuxt.com/docs/guide/directory-structure/nuxt-config gives it.
  nuxt: {
    docs: 'https://nuxt.com/docs/guide/directory-structure/package',
    commands: ['npm install'],
    packageJson: {
      private: true,
      type: 'module',
      scripts: { build: 'nuxt build', dev: 'nuxt dev', generate: 'nuxt generate', preview: 'nuxt preview', postinstall: 'nuxt prepare' },
      dependencies: { nuxt: NUXT_VERSION, vue: '^3.5.0', 'vue-router': '^4.5.0' },
    },
    files: {
      'app/app.vue': '<template>\n  <div>\n    <h1>Welcome to the homepage</h1>\n  </div>\n</template>\n',
      'nuxt.config.ts': 'export default defineNuxtConfig({\n  // My Nuxt config\n})\n',
    },
  },
} satisfies Record<string, ManualApp>

export type ManualAppName = keyof typeof MANUAL_APPS

/** Writes the page's files and package.json fields into dir, after `npm init --yes` (the commands are the caller's, run with its runner). */
export function writeManualFiles(app: ManualApp, dir: string): void {
  const pkg = path.join(dir, 'package.json')
  writeFileSync(pkg, JSON.stringify({ ...JSON.parse(readFileSync(pkg, 'utf8')), ...app.packageJson }, null, 2) + '\n')
  for (const [file, text] of Object.entries(app.files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
    writeFileSync(path.join(dir, file), text)
  }
}
