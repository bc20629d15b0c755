#!/usr/bin/env node
// The `kubedrill` command. It runs the build in dist/ (plain JavaScript, `npm run build`)
// when that is newer than the sources; otherwise the TypeScript sources through tsx's loader,
// so a checkout works without a build and never runs a build its sources have moved past.
import { isFresh, SERVER_ENTRY } from '../scripts/build-state.mjs';
import { pathToFileURL } from 'node:url';

if (isFresh('server')) {
  await import(pathToFileURL(SERVER_ENTRY).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../server/cli/main.ts');
}
