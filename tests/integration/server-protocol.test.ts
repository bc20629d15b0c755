// The socket.io and HTTP edges over a real port and a real PostgreSQL, with the fake
// scenario (the room rules themselves are tested in tests/unit/rooms-runner.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, getJson, postJson, startTestServer, type TestServer } from '../helpers/server.js';
import { fakeCatalog } from '../unit/rooms-fake.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ catalog: fakeCatalog() });
});
afterAll(async () => {
  await server?.close();
});

async function hostedRoom(mode: 'interview' | 'gameday' = 'gameday') {
  const created = await postJson<{ roomId: string; code: string; hostToken: string }>(server.url, '/api/rooms', { scenarioId: 'fake', mode, hostName: 'Host' });
  expect(created.status).toBe(201);
  const host = await connect(server.url);
  const joined = await host.call<{ view: { you: { role: string } } }>('room:join', { token: created.body.hostToken });
  expect(joined.ok).toBe(true);
  expect(joined.view.you.role).toBe('host');
  return { ...created.body, host };
}

describe('game server protocol', () => {
  it('refuses malformed, oversized and forbidden messages and keeps serving', async () => {
    const { code, host } = await hostedRoom();
    const player = await connect(server.url);
    const other = await connect(server.url);
    expect(await player.call('cmd:run', { line: 'get' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await player.call('room:join', { code: 'nope', name: 'x' })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await player.call('room:join', { code, name: 'Min', role: 'host' })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await player.call('no:such', {})).toMatchObject({ ok: false, error: { code: 'bad_request', message: 'unknown message no:such' } });
    const joined = await player.call<{ token: string }>('room:join', { code, name: 'Min' });
    expect(joined.ok).toBe(true);
    await other.call('room:join', { code, name: 'Other' });

    expect(await player.call('host:start', {})).toMatchObject({ ok: false, error: { code: 'forbidden', message: 'only the host may start' } });
    expect(await host.call('host:start', {})).toMatchObject({ ok: true });
    expect(await player.call('cmd:run', { line: 42 })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await player.call('cmd:run', { line: 'x'.repeat(20_000) })).toMatchObject({ ok: false, error: { code: 'too_large' } });
    expect(await player.call('host:fault', { faultId: 'jump' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    // Above socket.io's hard cap the offending connection is dropped; others carry on.
    const closed = new Promise((resolve) => other.socket.once('disconnect', resolve));
    other.socket.emit('cmd:run', { line: 'y'.repeat(200_000) }, () => undefined);
    await closed;
    const ran = await player.call<{ output: string; exitCode: number; prompt: string }>('cmd:run', { line: 'get', clientSeq: 3 });
    expect(ran).toMatchObject({ ok: true, exitCode: 0, clientSeq: 3, prompt: '1$ ' });
    expect(ran.output).toMatch(/^counter=\d+ now=0\n$/);
    // The host sees the player's terminal live, each line with the prompt it was typed at.
    expect(await host.waitFor((e) => e.type === 'command' && e.line === 'get')).toMatchObject({ prompt: '0$ ' });
    for (const c of [host, player]) c.close();
  });

  it('rate-limits a flooding socket with rate_limited', async () => {
    const { code, host } = await hostedRoom();
    const player = await connect(server.url);
    await player.call('room:join', { code, name: 'Flood' });
    await host.call('host:start');
    const answers = await Promise.all(Array.from({ length: 40 }, () => player.call('cmd:run', { line: 'get' })));
    const limited = answers.filter((a) => !a.ok && a.error?.code === 'rate_limited').length;
    expect(limited).toBeGreaterThan(10);
    expect(answers.filter((a) => a.ok).length).toBeGreaterThanOrEqual(19);
    host.close();
    player.close();
  });

  it('rate-limits a participant, not a socket: more sockets with one token share the allowance', async () => {
    const { code, host } = await hostedRoom();
    const first = await connect(server.url);
    const { token } = await first.call<{ token: string }>('room:join', { code, name: 'Hydra' });
    const sockets = [first];
    for (let i = 0; i < 3; i++) {
      const extra = await connect(server.url);
      expect((await extra.call('room:join', { token })).ok).toBe(true);
      sockets.push(extra);
    }
    await host.call('host:start');
    const answers = await Promise.all(sockets.flatMap((s) => Array.from({ length: 20 }, () => s.call('cmd:run', { line: 'get' }))));
    const ok = answers.filter((a) => a.ok).length;
    // One burst (20) plus a little refill, not four bursts (80).
    expect(ok).toBeGreaterThanOrEqual(19);
    expect(ok).toBeLessThan(30);
    expect(answers.filter((a) => !a.ok && a.error?.code === 'rate_limited').length).toBe(80 - ok);
    for (const c of [host, ...sockets]) c.close();
  });

  it('completes a line only while the room runs', async () => {
    const { code, host } = await hostedRoom();
    const player = await connect(server.url);
    await player.call('room:join', { code, name: 'Tab' });
    expect(await player.call('cmd:complete', { line: 'g', cursor: 1 })).toMatchObject({ ok: false, error: { code: 'conflict', message: 'the room has not started yet' } });
    await host.call('host:start');
    expect(await player.call('cmd:complete', { line: 'g', cursor: 1 })).toMatchObject({ ok: true, candidates: ['get'] });
    await host.call('host:pause');
    expect(await player.call('cmd:complete', { line: 'g', cursor: 1 })).toMatchObject({ ok: false, error: { code: 'conflict', message: 'the room is paused' } });
    await host.call('host:end');
    expect(await player.call('cmd:complete', { line: 'g', cursor: 1 })).toMatchObject({ ok: false, error: { code: 'room_ended' } });
    host.close();
    player.close();
  });

  it('resumes with a token and lastSeq: exactly the missed events, no gaps, no duplicates', async () => {
    const { code, host } = await hostedRoom();
    const player = await connect(server.url);
    const joined = await player.call<{ token: string; view: { seq: number } }>('room:join', { code, name: 'Re' });
    await host.call('host:start');
    const ran = await player.call<{ seq: number }>('cmd:run', { line: 'get' });
    expect((await player.call('cmd:run', { line: 'inc' })).ok).toBe(true);
    // The command's output came in the ack, not as a room:event to the same socket.
    expect(player.events.filter((e) => e.type === 'command')).toEqual([]);
    const lastSeq = ran.seq + 1;
    player.close();
    await host.call('host:note', { text: 'private' });
    await host.call('host:hint', { hintId: 'h1' });
    await host.call('host:pause');

    const back = await connect(server.url);
    const resumed = await back.call<{ events: { seq: number; type: string }[]; view: { seq: number; terminals: { prompt: string; entries: { prompt?: string; line: string }[] }[] } }>(
      'room:resume', { token: joined.token, lastSeq: ran.seq - 1 });
    expect(resumed.ok).toBe(true);
    expect(resumed.events.map((e) => e.type)).toEqual(['command', 'command', 'hint.pushed', 'room.paused']);
    expect(resumed.events.slice(0, 2)).toMatchObject([{ line: 'get', prompt: '0$ ' }, { line: 'inc', prompt: '1$ ' }]);
    expect(resumed.events[2]!.seq).toBeGreaterThan(lastSeq);
    expect(resumed.view.terminals).toHaveLength(1);
    // Each entry keeps the prompt it was typed at; the terminal's prompt is the next one.
    expect(resumed.view.terminals[0]!.entries.map((e) => `${e.prompt}${e.line}`)).toEqual(['0$ get', '1$ inc']);
    expect(resumed.view.terminals[0]!.prompt).toBe('2$ ');
    await host.call('host:resume');
    const next = await back.waitFor((e) => e.type === 'room.resumed');
    expect(next.seq).toBe(resumed.view.seq + 1);
    host.close();
    back.close();
  });

  it('serves summaries, reports to the host only, replays per viewer and metrics', async () => {
    const { code, roomId, hostToken, host } = await hostedRoom('interview');
    const player = await connect(server.url);
    const joined = await player.call<{ token: string }>('room:join', { code, name: 'Cand' });
    await host.call('host:start');
    await player.call('cmd:run', { line: 'get' });
    await host.call('host:note', { text: 'note <b>bold</b>' });
    await player.call('diagnosis:submit', { rootCause: 'b', text: 'the counter', evidence: ['get'] });
    await host.call('host:end');

    expect((await getJson(server.url, `/api/rooms/${code}`)).body).toMatchObject({ roomId, code, mode: 'interview', status: 'ended', players: 1, title: 'Fake incident' });
    expect((await getJson(server.url, '/api/rooms/ZZZZZZZZ')).status).toBe(404);
    expect((await getJson(server.url, `/api/rooms/${roomId}/report`, joined.token)).status).toBe(403);
    const report = await getJson<{ participants: { name: string; score: { total: number } | null; commands: unknown[] }[]; notes: unknown[] }>(server.url, `/api/rooms/${roomId}/report`, hostToken);
    expect(report.status).toBe(200);
    expect(report.body.participants.find((p) => p.name === 'Cand')).toMatchObject({ score: { total: 10 }, commands: [expect.objectContaining({ line: 'get' })] });
    const html = await fetch(`${server.url}/api/rooms/${roomId}/report.html`, { headers: { authorization: `Bearer ${hostToken}` } });
    expect(html.headers.get('content-type')).toContain('text/html');
    const page = await html.text();
    expect(page).toContain('note &lt;b&gt;bold&lt;/b&gt;');
    expect(page).toContain('0$ get');
    // Each score line with its why, in words (not the breakdown as raw data).
    expect(page).toContain('<td>Root cause</td><td>10 / 10</td><td>correct: the counter overflowed</td>');
    expect(page).not.toContain('"lines"');

    // Replay comments: hosts only, through the room (a player's token is refused, nothing is logged).
    const comment = (token: string) => fetch(`${server.url}/api/rooms/${roomId}/notes`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ text: 'good catch' }),
    });
    expect((await comment(joined.token)).status).toBe(403);
    expect((await comment('not-a-token-0123456789abcdef')).status).toBe(403);
    expect((await comment(hostToken)).status).toBe(201);

    const replay = await getJson<{ events: { type: string }[] }>(server.url, `/api/rooms/${roomId}/replay`, joined.token);
    expect(replay.body.events.map((e) => e.type)).not.toContain('note.added');
    const hostReplay = await getJson<{ events: { type: string }[] }>(server.url, `/api/rooms/${roomId}/replay`, hostToken);
    expect(hostReplay.body.events.map((e) => e.type)).toContain('note.added');

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/kubedrill_commands_total \d+/);
    expect(metrics).toContain('kubedrill_command_duration_seconds_bucket');
    expect(metrics).toContain('kubedrill_event_write_duration_seconds_count');
    expect(metrics).toMatch(/kubedrill_rooms\{status="ended"\} \d+/);
    expect(metrics).toMatch(/kubedrill_sockets \d+/);
    host.close();
    player.close();
  });
});
