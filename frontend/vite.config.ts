// Vite builds the web app into plain static files (frontend/dist: what S3 + CloudFront or the
// local stack's frontend server serve). Vitest reads the `test` section.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  // Relative asset URLs: the site works under any path prefix.
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No inline polyfill script: the CSP allows scripts from this origin only.
    modulePreload: { polyfill: false },
    // The calendar (Svelte runtime included) is one lazily loaded chunk of ~150 kB.
    chunkSizeWarningLimit: 400,
  },
  test: {
    root,
    environment: 'jsdom',
    // The time-zone tests expect a browser in Paris (UTC+1 in winter, UTC+2 in summer).
    env: { TZ: 'Europe/Paris' },
    include: ['tests/**/*.test.ts'],
  },
});
