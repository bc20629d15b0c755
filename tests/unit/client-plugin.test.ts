// The server side of the client: built files under /assets/, index.html for every client
// route (so reloads work), API paths untouched, and a clear page when nothing is built.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { clientPlugin } from '../../server/http/client-plugin.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function appWith(files: Record<string, string>) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kubedrill-client-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  const app = Fastify({ logger: false });
  await app.register(clientPlugin, { dir });
  app.get('/api/scenarios', async () => ({ scenarios: [] }));
  return app;
}

describe('client plugin', () => {
  it('serves index.html for client routes and hashed assets for good', async () => {
    const app = await appWith({ 'index.html': '<!doctype html><title>kubedrill</title>', 'assets/index-abc.js': 'console.log(1)' });
    for (const url of ['/', '/r/ABCD2345', '/host/5b6f', '/replay/5b6f', '/report/5b6f', '/leaderboard/fake']) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('<title>kubedrill</title>');
    }
    const asset = await app.inject('/assets/index-abc.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await app.inject('/api/scenarios')).json()).toEqual({ scenarios: [] });
    expect((await app.inject('/r/ABCD2345/extra')).statusCode).toBe(404);
    expect((await app.inject('/assets/missing.js')).statusCode).toBe(404);
    await app.close();
  });

  it('answers a browser a 404 page for an unknown URL and API clients JSON', async () => {
    const app = await appWith({ 'index.html': '<!doctype html><title>kubedrill</title>' });
    const html = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
    const page = await app.inject({ url: '/no/such/page', headers: { accept: html } });
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('Page not found');
    expect(page.body).toContain('href="/"');
    expect(page.body).not.toContain('<script');
    for (const req of [{ url: '/api/nothing', headers: { accept: html } }, { url: '/no/such/page', headers: { accept: 'application/json' } }, { url: '/assets/x.js', headers: { accept: html } }, { method: 'POST' as const, url: '/nope', headers: { accept: html } }]) {
      const res = await app.inject(req);
      expect(res.statusCode, req.url).toBe(404);
      expect(res.json().error.code, req.url).toBe('not_found');
    }
    await app.close();
  });

  it('says how to build the client when it is missing', async () => {
    const app = await appWith({});
    const res = await app.inject('/');
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build:client');
    await app.close();
  });
});
