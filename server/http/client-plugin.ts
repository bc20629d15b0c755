// Serves the browser client built by Vite (dist/client): hashed assets under /assets/
// (cached for good) and index.html for every client route, so a reload of /r/CODE,
// /host/ID, /replay/ID or /report/ID lands in the app. If the client was never built the
// pages say how to build it instead of failing.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';

export const DEFAULT_CLIENT_DIR = fileURLToPath(new URL('../../dist/client', import.meta.url));

/** Client-side routes (see client/src/router.ts). */
export const CLIENT_ROUTES = ['/', '/r/:code', '/host/:id', '/replay/:id', '/report/:id'] as const;

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>kubedrill</title>
<p>The browser client is not built. Run <code>npm run build:client</code> (or <code>npm start</code>, which builds it).</p>`;

export interface ClientPluginOptions {
  /** Folder of the built client; default dist/client at the project root. */
  dir?: string;
}

export const clientPlugin = fp<ClientPluginOptions>(
  async (app, options) => {
    const dir = options.dir ?? DEFAULT_CLIENT_DIR;
    const indexFile = path.join(dir, 'index.html');
    const assets = path.join(dir, 'assets');
    if (existsSync(assets)) {
      await app.register(fastifyStatic, {
        root: assets,
        prefix: '/assets/',
        decorateReply: false,
        immutable: true,
        maxAge: '365d',
        index: false,
      });
    }
    // Read per request when the file may still appear (a build running next to the server).
    let index = existsSync(indexFile) ? readFileSync(indexFile, 'utf8') : undefined;
    for (const url of CLIENT_ROUTES) {
      app.get(url, { schema: { hide: true } }, async (_request, reply) => {
        index ??= existsSync(indexFile) ? readFileSync(indexFile, 'utf8') : undefined;
        return reply
          .code(index ? 200 : 503)
          .header('cache-control', 'no-cache')
          .type('text/html; charset=utf-8')
          .send(index ?? NOT_BUILT);
      });
    }
  },
  { name: 'kubedrill-client', fastify: '5.x' },
);
