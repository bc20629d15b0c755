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
    expect(out.split('\n')[0]).toBe('ID               DIFFICULTY   TIME LIMIT   VARIANTS   TITLE');
    expect(out).toContain('etcd-nospace     hard         30m          3          Deploys fail, then the cluster stops answering\n');
    expect(out).toContain('pending-pods     easy         20m          4          Scaled up, nothing new is serving\n');
    expect(out.trimEnd().split('\n')).toHaveLength(loadScenarioDir().scenarios.length + 1);
  });

  it('schema writes the JSON Schema generated from the zod schema', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'kd-schema-')), 'schema.json');
    const res = kubedrill('schema', '--out', out);
    expect(res.status).toBe(0);
    expect(res.stdout).toBe(`wrote ${out}\n`);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(JSON.parse(JSON.stringify(scenarioJsonSchema())));
  });

  it('check reports a broken file with file:line:col path message and exits 1', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kd-check-')), 'broken.yaml');
    writeFileSync(file, 'id: broken\ntitle: x\ndifficulty: extreme\n');
    const res = kubedrill('check', '--no-solve', file);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:13: difficulty: `, 'm'));
    expect(res.stdout).toMatch(/\d+ problem\(s\)\n$/);
  });
});
