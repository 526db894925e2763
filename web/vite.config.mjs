// Vite build of the console (web/). `npm start` builds it when missing or stale (scripts/build-console.ts); the CDK
// console site bundles it the same way. Vite 8 compiles TSX itself (automatic JSX runtime), so no React plugin.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  // No VITE_* variable reaches the bundle: the console reads its settings from /config.json at start.
  envPrefix: 'CONSOLE_PUBLIC_',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  logLevel: 'warn',
});
