// Serves the browser client built by Vite (dist/client): hashed assets under /assets/
// (cached for good) and index.html for every client route, so a reload of /r/CODE,
// /host/ID, /replay/ID or /report/ID lands in the app. If the client was never built the
// pages say how to build it instead of failing. Unknown URLs answer browsers a 404 page
// and everything else (API clients, assets) a JSON 404.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';
import type { HttpError } from '../protocol/index.js';

export const DEFAULT_CLIENT_DIR = fileURLToPath(new URL('../../dist/client', import.meta.url));

/** Client-side routes (see client/src/router.ts). */
export const CLIENT_ROUTES = ['/', '/r/:code', '/host/:id', '/replay/:id', '/report/:id', '/leaderboard/:scenarioId'] as const;

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>kubedrill</title>
<p>The browser client is not built. Run <code>npm run build:client</code> (or <code>npm start</code>, which builds it).</p>`;

/** What a browser gets for a URL nothing serves: a page with a way back, not raw JSON. */
const NOT_FOUND_PAGE = `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Not found — kubedrill</title>
<style>body{font-family:system-ui,sans-serif;background:#f5f6f8;color:#1b1f24;margin:0}main{max-width:32rem;margin:3rem auto;padding:1rem 1.2rem;background:#fff;border:1px solid #d8dee4;border-radius:6px}a{color:#1f5fbf}</style>
<main><h1>Page not found</h1><p>Nothing lives at this address. A room link may be mistyped or the room may be gone.</p><p><a href="/">Back to the lobby</a></p></main></html>`;

/** A browser navigation (it asks for HTML) outside the API: API clients keep JSON answers. */
const wantsPage = (url: string, accept: string | undefined): boolean =>
  !url.startsWith('/api/') && !url.startsWith('/assets/') && /\btext\/html\b/.test(accept ?? '');

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
    app.setNotFoundHandler(async (request, reply) => {
      if ((request.method === 'GET' || request.method === 'HEAD') && wantsPage(request.url, request.headers.accept)) {
        return reply.code(404).header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(NOT_FOUND_PAGE);
      }
      const body: HttpError = { error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` } };
      return reply.code(404).send(body);
    });
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
