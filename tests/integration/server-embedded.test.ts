// The game server on the embedded PGlite database (no DATABASE_URL): a room is played,
// the server closes, a new one on the same folder continues the room from its log.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTempDir, type TempDir } from '../helpers/db.js';
import { connect, postJson, startTestServer } from '../helpers/server.js';
import { fakeCatalog } from '../unit/rooms-fake.js';

let dir: TempDir;
beforeAll(async () => {
  dir = await createTempDir();
});
afterAll(async () => {
  await dir?.remove();
});

it('plays and continues a room on the embedded database', async () => {
  let server = await startTestServer({ catalog: fakeCatalog(), database: { dataDir: dir.path } });
  const created = await postJson<{ code: string; hostToken: string }>(server.url, '/api/rooms', { scenarioId: 'fake', mode: 'gameday', hostName: 'Host' });
  const host = await connect(server.url);
  await host.call('room:join', { token: created.body.hostToken });
  const player = await connect(server.url);
  const joined = await player.call<{ token: string }>('room:join', { code: created.body.code, name: 'P' });
  await host.call('host:start');
  const first = await player.call<{ output: string }>('cmd:run', { line: 'inc' });
  expect(first).toMatchObject({ ok: true, output: expect.stringMatching(/^counter=\d+ now=0\n$/) });
  host.close();
  player.close();
  await server.close();

  server = await startTestServer({ catalog: fakeCatalog(), database: { dataDir: dir.path } });
  try {
    const back = await connect(server.url);
    const rejoined = await back.call<{ view: { status: string; terminals: { entries: { output: string }[] }[] } }>('room:join', { token: joined.token });
    expect(rejoined.view.status).toBe('running');
    expect(rejoined.view.terminals[0]!.entries.map((e) => e.output)).toEqual([first.output]);
    const again = await back.call<{ output: string }>('cmd:run', { line: 'get' });
    expect(again.output).toBe(first.output); // same cluster state after the rebuild
    back.close();
  } finally {
    await server.close();
  }
});
