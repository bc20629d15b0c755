// `kubedrill scenarios list | schema | check` as an author runs them (real process, real files).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioDir } from '../../server/scenarios/load.js';
import { scenarioJsonSchema } from '../../server/scenarios/schema.js';

const BIN = join(import.meta.dirname, '../../bin/kubedrill.js');
const kubedrill = (...args: string[]) => spawnSync(process.execPath, [BIN, 'scenarios', ...args], { encoding: 'utf8' });

describe('kubedrill scenarios', () => {
  it('list prints id, difficulty, time limit, variant count and title in aligned columns', () => {
    const out = execFileSync(process.execPath, [BIN, 'scenarios', 'list'], { encoding: 'utf8' });
    // The ID column is as wide as the longest id plus three spaces.
    const width = Math.max(...loadScenarioDir().scenarios.map((sc) => sc.id.length)) + 3;
    expect(out.split('\n')[0]).toBe(`${'ID'.padEnd(width)}DIFFICULTY   TIME LIMIT   VARIANTS   TITLE`);
    expect(out).toContain(`${'etcd-nospace'.padEnd(width)}hard         30m          3          Deploys fail, then the cluster stops answering\n`);
    expect(out).toContain(`${'pending-pods'.padEnd(width)}easy         20m          4          Scaled up, nothing new is serving\n`);
    expect(out.trimEnd().split('\n')).toHaveLength(1 + loadScenarioDir().scenarios.length);
  }, 120_000); // a fresh process loads every scenario through tsx: slow on a loaded machine

  it('schema writes the JSON Schema generated from the zod schema', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'kd-schema-')), 'schema.json');
    const res = kubedrill('schema', '--out', out);
    expect(res.status).toBe(0);
    expect(res.stdout).toBe(`wrote ${out}\n`);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(JSON.parse(JSON.stringify(scenarioJsonSchema())));
  });

  it('new scaffolds a file that loads, solves and passes check (anti-solutions included); it never overwrites and refuses a bad id', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kd-new-'));
    const res = kubedrill('new', 'disk-full-demo', '--dir', dir);
    expect(res.status).toBe(0);
    expect(res.stdout.split('\n')[0]).toBe(`wrote ${join(dir, 'disk-full-demo.yaml')}`);
    const check = kubedrill('check', join(dir, 'disk-full-demo.yaml'));
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
    expect(check.stdout).toContain('3 variant(s) valid');
    expect(check.stdout).toMatch(/5 anti-solution\(s\) played, none fixes it/);
    expect(check.stdout).toMatch(/all scenarios OK\n$/);
    const again = kubedrill('new', 'disk-full-demo', '--dir', dir);
    expect(again).toMatchObject({ status: 1, stderr: `error: ${join(dir, 'disk-full-demo.yaml')} already exists\n` });
    expect(kubedrill('new', '../Evil', '--dir', dir)).toMatchObject({ status: 1, stderr: 'error: "../Evil" is not a scenario id (lowercase letters, digits, dashes)\n' });
  }, 120_000);

  it('check reports a broken file with file:line:col path message and exits 1', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kd-check-')), 'broken.yaml');
    writeFileSync(file, 'id: broken\ntitle: x\ndifficulty: extreme\n');
    const res = kubedrill('check', '--no-solve', file);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:13: difficulty: `, 'm'));
    expect(res.stdout).toMatch(/\d+ problem\(s\)\n$/);
  });
});
