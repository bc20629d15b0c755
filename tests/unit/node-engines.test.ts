// The Node versions kubedrill supports (package.json `engines`) are supported by every
// installed package too, so `npm ci` prints no EBADENGINE warning on any of them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import semver from 'semver';

const root = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as { packages: Record<string, { engines?: { node?: string } | string[] }> };

describe('Node versions', () => {
  it('supports Node 20 and the current LTS lines, including the Node running the tests', () => {
    for (const version of ['20.19.0', '22.13.0', '24.0.0', process.version]) expect(semver.satisfies(version, pkg.engines.node), version).toBe(true);
  });

  it('installs no package that wants a Node kubedrill supports but it does not', () => {
    const narrower = Object.entries(lock.packages)
      .filter(([name, entry]) => name !== '' && entry.engines && !Array.isArray(entry.engines) && entry.engines.node)
      .filter(([, entry]) => !semver.subset(pkg.engines.node, (entry.engines as { node: string }).node))
      .map(([name, entry]) => `${name.replace(/^.*node_modules\//, '')}: node ${(entry.engines as { node: string }).node}`);
    expect(narrower).toEqual([]);
  });
});
