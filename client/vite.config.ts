// Vite builds the browser client from client/ into dist/client, which the server serves
// (server/http/client-plugin.ts). `npm run build:client` runs this config.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  build: {
    outDir: fileURLToPath(new URL('../dist/client', import.meta.url)),
    emptyOutDir: true,
    // No source maps in the build the server ships: it serves what is in dist/client.
    sourcemap: false,
    // xterm.js alone is ~300 kB; one bundle is fine for a single-page app.
    chunkSizeWarningLimit: 1200,
  },
  server: {
    // `vite --config client/vite.config.ts` during development: the game server runs on 3000.
    proxy: { '/api': 'http://127.0.0.1:3000', '/socket.io': { target: 'ws://127.0.0.1:3000', ws: true } },
  },
});
