// GET /api/scenarios as the lobby reads it: easiest first (then the shorter, then by
// title), each with its tags and estimated minutes, no answer key; `?tag=` filters, and a
// tag that is not one refuses with 400 and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioCatalog } from '../../server/rooms/scenario-runtime.js';
import { loadScenarioDir } from '../../server/scenarios/load.js';
import { getJson, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ catalog: loadScenarioCatalog().catalog });
});
afterAll(async () => {
  await server?.close();
});

type Item = { id: string; title: string; difficulty: 'easy' | 'medium' | 'hard'; tags: string[]; estimatedMinutes?: number; timeLimitSec: number };
const RANK = { easy: 0, medium: 1, hard: 2 };

describe('GET /api/scenarios', () => {
  it('lists every scenario easiest first, then shorter, with tags and estimated minutes and no answer key', async () => {
    const res = await getJson<{ scenarios: Item[] }>(server.url, '/api/scenarios');
    expect(res.status).toBe(200);
    const list = res.body.scenarios;
    const files = loadScenarioDir().scenarios;
    expect(list.map((s) => s.id).sort()).toEqual(files.map((s) => s.id).sort());
    for (let i = 1; i < list.length; i++) {
      const [a, b] = [list[i - 1]!, list[i]!];
      const key = (s: Item) => [RANK[s.difficulty], s.estimatedMinutes ?? s.timeLimitSec / 60] as const;
      expect(key(a)[0] < key(b)[0] || (key(a)[0] === key(b)[0] && key(a)[1] <= key(b)[1]), `${a.id} before ${b.id}`).toBe(true);
    }
    for (const s of list) {
      const file = files.find((f) => f.id === s.id)!.variants[0]!.scenario;
      expect(s.tags).toEqual(file.tags);
      expect(s.estimatedMinutes).toBe(file.estimatedMinutes);
      expect(JSON.stringify(s)).not.toContain(file.answer.rootCause.explanation.slice(0, 40));
    }
  });

  it('?tag= keeps the scenarios with that tag, in the same order', async () => {
    const all = (await getJson<{ scenarios: Item[] }>(server.url, '/api/scenarios')).body.scenarios;
    const tag = all.flatMap((s) => s.tags).find((t) => all.some((s) => !s.tags.includes(t)))!;
    const res = await getJson<{ scenarios: Item[] }>(server.url, `/api/scenarios?tag=${tag}`);
    expect(res.status).toBe(200);
    expect(res.body.scenarios.map((s) => s.id)).toEqual(all.filter((s) => s.tags.includes(tag)).map((s) => s.id));
    expect(res.body.scenarios.length).toBeLessThan(all.length);
    expect((await getJson<{ scenarios: Item[] }>(server.url, '/api/scenarios?tag=no-such-tag')).body.scenarios).toEqual([]);
  });

  it('refuses a tag that is not one', async () => {
    for (const bad of ['%3Cscript%3E', 'A'.repeat(41), '']) {
      const res = await getJson(server.url, `/api/scenarios?tag=${bad}`);
      expect(res.status, bad).toBe(400);
    }
  });
});
