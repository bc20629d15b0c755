// The server's Node flags are written in three production command lines (`npm start`, the
// Dockerfile, `npm run cluster`) that cannot share a file; the benchmarks read them from
// `npm start`. They must not drift apart: a bench would measure a server nobody runs.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { root, SERVER_NODE_FLAGS } from '../../bench/common.js';

const read = (path: string) => readFileSync(`${root}/${path}`, 'utf8');

it('runs the server with a larger young generation in production', () => {
  // README "Configuration": under load, a command's short-lived objects outlived the default
  // semi-space and filled the old generation: a full collection (~250 acks past 50 ms) every ~20 s.
  expect(SERVER_NODE_FLAGS).toEqual(['--max-semi-space-size=128']);
});

it('passes the same flags in the Dockerfile and in npm run cluster', () => {
  const cmd = JSON.parse(read('Dockerfile').match(/^CMD (\[.*\])$/m)![1]!) as string[];
  expect(cmd).toEqual(['node', ...SERVER_NODE_FLAGS, 'bin/kubedrill.js', 'serve']);
  expect(read('scripts/cluster/run.sh')).toContain(`node ${SERVER_NODE_FLAGS.join(' ')} bin/kubedrill.js serve`);
});
