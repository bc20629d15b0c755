// Who sits where and who sees which score, on the room layer alone (memory store, fake
// runtime): one seat per person, host approval for new identities, unique names, spectators
// only when the host allows them, scores withheld until released, the solo debrief.
import { describe, expect, it } from 'vitest';
import { createMemoryRoomStore } from '../../server/db/memory-room-store.js';
import { fromStored } from '../../server/rooms/log.js';
import { buildDebrief } from '../../server/rooms/debrief.js';
import { MAX_WAITING, type Action } from '../../server/rooms/decide.js';
import { replayRoom } from '../../server/rooms/reducer.js';
import { RoomRegistry, type Joined } from '../../server/rooms/registry.js';
import type { RoomRunner } from '../../server/rooms/runner.js';
import { placementOf } from '../../server/rooms/state.js';
import { roomViewFor, viewFor } from '../../server/rooms/view.js';
import type { AckError, HostRoomView, RoomMode, RoomSettings } from '../../server/protocol/index.js';
import { fakeCatalog, fakeRuntime, SECRET } from './rooms-fake.js';

async function setup(mode: RoomMode, settings: RoomSettings = { allowSpectators: false, autoHints: false }) {
  const store = createMemoryRoomStore();
  const registry = new RoomRegistry({ store, catalog: fakeCatalog(3_600_000), tickMs: 0 });
  const created = await registry.create({ scenarioId: 'fake', mode, seed: 7, name: 'Hana', settings });
  if (!('runner' in created)) throw new Error(created.error.message);
  const host = { participantId: created.participantId, role: created.runner.room.mode === 'solo' ? 'player' as const : 'host' as const };
  return { registry, store, runner: created.runner, host, token: created.token };
}

function seatOf(joined: Joined | AckError) {
  if (!('runner' in joined) || joined.placement.kind !== 'seat') throw new Error(`not seated: ${JSON.stringify('runner' in joined ? joined.placement : joined)}`);
  return { id: joined.placement.participant.id, name: joined.placement.participant.name, token: joined.token! };
}

const asPlayer = (participantId: string) => ({ participantId, role: 'player' as const });
const noOne = new Set<string>();
const viewOf = (runner: RoomRunner, participantId: string, role: 'player' | 'spectator' | 'host' = 'player') =>
  roomViewFor(runner.room, runner.runtime, { participantId, role }, noOne);

describe('seats', () => {
  it('interview: leaving and joining again as someone new gives no second submission', async () => {
    const { registry, runner, host } = await setup('interview');
    const cand = seatOf(await registry.joinByCode(runner.room.code, 'Cand', 'player'));
    await runner.act(host, { type: 'start' });
    expect((await runner.act(asPlayer(cand.id), { type: 'diagnose', rootCause: 'a', text: '', evidence: [] })).ok).toBe(true);
    await runner.act(asPlayer(cand.id), { type: 'leave' });

    // A new identity (no token) waits for the host; it has no seat to act from.
    const again = await registry.joinByCode(runner.room.code, 'Cand', 'player');
    if (!('runner' in again) || again.placement.kind !== 'waiting') throw new Error('expected to wait');
    const requestId = again.placement.request.id;
    expect(await runner.act(asPlayer(requestId), { type: 'diagnose', rootCause: 'b', text: '', evidence: [] })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((viewOf(runner, host.participantId, 'host') as HostRoomView).host.requests).toEqual([{ id: requestId, name: 'Cand', status: 'pending' }]);

    // Admitted, it is handed the candidate seat: the same terminal, the same (one) diagnosis.
    expect(await runner.act(asPlayer(cand.id), { type: 'admit', requestId })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await runner.act(host, { type: 'admit', requestId })).ok).toBe(true);
    const placed = placementOf(runner.room, requestId);
    expect(placed).toMatchObject({ kind: 'seat', participant: { id: cand.id } });
    expect((await runner.act(asPlayer(cand.id), { type: 'return' })).ok).toBe(true);
    expect(await runner.act(asPlayer(cand.id), { type: 'diagnose', rootCause: 'b', text: '', evidence: [] })).toMatchObject({ ok: false, error: { code: 'conflict', message: 'a diagnosis was already submitted' } });
    expect(Object.values(runner.room.participants).filter((p) => p.role === 'player')).toHaveLength(1);
    registry.dispose();
  });

  it('a player who left comes back into the same seat with their token', async () => {
    const { registry, runner, host } = await setup('gameday');
    const pat = seatOf(await registry.joinByCode(runner.room.code, 'Pat', 'player'));
    await runner.act(host, { type: 'start' });
    await runner.act(asPlayer(pat.id), { type: 'run', line: 'get' });
    await runner.act(asPlayer(pat.id), { type: 'leave' });
    expect(await runner.act(asPlayer(pat.id), { type: 'run', line: 'get' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const found = await registry.findByToken(pat.token);
    expect(found).toMatchObject({ placement: { kind: 'seat', participant: { id: pat.id, left: true } } });
    expect((await runner.act(asPlayer(pat.id), { type: 'return' })).ok).toBe(true);
    expect((await runner.act(asPlayer(pat.id), { type: 'run', line: 'get' })).ok).toBe(true);
    expect(runner.room.terminals[pat.id]!.entries.map((e) => e.line)).toEqual(['get', 'get']);
    // The host sees everyone who ever joined; a player who left is marked, not dropped.
    await runner.act(asPlayer(pat.id), { type: 'leave' });
    expect(viewOf(runner, host.participantId, 'host').participants.find((p) => p.id === pat.id)).toMatchObject({ left: true });
    expect(viewOf(runner, pat.id).participants.find((p) => p.id === pat.id)).toBeUndefined();
    registry.dispose();
  });

  it('game day: newcomers join freely in the lobby and wait for the host once it runs', async () => {
    const { registry, runner, host } = await setup('gameday');
    seatOf(await registry.joinByCode(runner.room.code, 'Ana', 'player'));
    await runner.act(host, { type: 'start' });
    const late = await registry.joinByCode(runner.room.code, 'Ana', 'player');
    const refused = await registry.joinByCode(runner.room.code, 'Ben', 'player');
    if (!('runner' in late) || late.placement.kind !== 'waiting' || !('runner' in refused) || refused.placement.kind !== 'waiting') throw new Error('expected to wait');
    const admitted = await runner.act(host, { type: 'admit', requestId: late.placement.request.id });
    // A new seat, and the name made unique.
    expect(admitted.ok && admitted.events.map((e) => e.type)).toEqual(['seat.admitted', 'participant.joined']);
    expect(runner.room.participants[late.placement.request.id]).toMatchObject({ name: 'Ana (2)', role: 'player' });
    expect(await registry.findByToken(late.token!)).toMatchObject({ placement: { kind: 'seat' } });
    // The host may instead hand a newcomer an existing seat (a player on a new device).
    const device = await registry.joinByCode(runner.room.code, 'Ana again', 'player');
    if (!('runner' in device) || device.placement.kind !== 'waiting') throw new Error('expected to wait');
    const ana = Object.values(runner.room.participants).find((p) => p.name === 'Ana')!;
    expect(await runner.act(host, { type: 'admit', requestId: device.placement.request.id, seat: host.participantId })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect((await runner.act(host, { type: 'admit', requestId: device.placement.request.id, seat: ana.id })).ok).toBe(true);
    expect(await registry.findByToken(device.token!)).toMatchObject({ placement: { kind: 'seat', participant: { id: ana.id } } });
    await runner.act(host, { type: 'refuse', requestId: refused.placement.request.id });
    expect(await registry.findByToken(refused.token!)).toMatchObject({ ok: false, error: { code: 'forbidden', message: 'the host did not let you in' } });
    expect(await runner.act(host, { type: 'admit', requestId: refused.placement.request.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    registry.dispose();
  });

  it(`at most ${MAX_WAITING} identities wait at once`, async () => {
    const { registry, runner } = await setup('interview');
    seatOf(await registry.joinByCode(runner.room.code, 'Cand', 'player'));
    for (let i = 0; i < MAX_WAITING; i++) expect(await registry.joinByCode(runner.room.code, `W${i}`, 'player')).toMatchObject({ placement: { kind: 'waiting' } });
    expect(await registry.joinByCode(runner.room.code, 'One more', 'player')).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    registry.dispose();
  });

  it('solo rooms take no second player and no spectator', async () => {
    const { registry, runner } = await setup('solo');
    expect(await registry.joinByCode(runner.room.code, 'Other', 'player')).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await registry.joinByCode(runner.room.code, 'Eve', 'spectator')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    registry.dispose();
  });

  it('names are unique in a room, case-insensitively, and stay within 40 characters', async () => {
    const { registry, runner } = await setup('gameday', { allowSpectators: true, autoHints: false });
    const names = [];
    for (const name of ['Pat', 'pat', 'Pat', 'Hana', 'x'.repeat(40), 'x'.repeat(40)]) {
      names.push(seatOf(await registry.joinByCode(runner.room.code, name, name === 'Hana' ? 'spectator' : 'player')).name);
    }
    expect(names).toEqual(['Pat', 'pat (2)', 'Pat (3)', 'Hana (2)', 'x'.repeat(40), `${'x'.repeat(36)} (2)`]);
    // A cut never leaves half of a surrogate pair.
    const emoji = `${'y'.repeat(35)}🙂`;
    seatOf(await registry.joinByCode(runner.room.code, emoji, 'player'));
    expect(seatOf(await registry.joinByCode(runner.room.code, emoji, 'player')).name).toBe(`${'y'.repeat(35)} (2)`);
    // The stored participant row carries the name the room gave (the leaderboard reads it).
    const rows = await registry.store.listParticipants(runner.room.id);
    expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining(['pat (2)', 'Pat (3)']));
    registry.dispose();
  });
});

describe('spectators', () => {
  it('join only when the host allows them; only the host changes that', async () => {
    const { registry, runner, host } = await setup('gameday');
    const player = seatOf(await registry.joinByCode(runner.room.code, 'Pat', 'player'));
    expect(await registry.joinByCode(runner.room.code, 'Sue', 'spectator')).toMatchObject({ ok: false, error: { code: 'forbidden', message: 'the host does not allow spectators in this room' } });
    expect(await runner.act(asPlayer(player.id), { type: 'settings', settings: { allowSpectators: true } })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await runner.act(host, { type: 'settings', settings: { allowSpectators: true } })).ok).toBe(true);
    const sue = seatOf(await registry.joinByCode(runner.room.code, 'Sue', 'spectator'));
    expect(viewOf(runner, sue.id, 'spectator').settings.allowSpectators).toBe(true);
    await runner.act(host, { type: 'settings', settings: { allowSpectators: false } });
    expect(runner.room.settings.allowSpectators).toBe(false);
    expect(await runner.act(host, { type: 'settings', settings: { autoHints: true } })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    registry.dispose();
  });

  it('never exceed the seats for spectators, however many join at the same moment', async () => {
    const { registry, runner } = await setup('gameday', { allowSpectators: true, autoHints: false });
    const joins = await Promise.all(Array.from({ length: 12 }, (_, i) => registry.joinByCode(runner.room.code, `S${i}`, 'spectator', false, 5)));
    expect(joins.filter((j) => 'runner' in j)).toHaveLength(5);
    expect(joins.filter((j) => !('runner' in j))).toEqual(Array(7).fill({ ok: false, error: { code: 'forbidden', message: 'this room has no spectator seats left (5)' } }));
    expect(Object.values(runner.room.participants).filter((p) => p.role === 'spectator')).toHaveLength(5);
    registry.dispose();
  });
});

describe('hostile ids in host actions', () => {
  it('names like __proto__ or constructor are nobody: a clear refusal, no crash', async () => {
    const { registry, runner, host } = await setup('gameday');
    await runner.act(host, { type: 'start' });
    for (const id of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(await runner.act(host, { type: 'release', participantId: id })).toMatchObject({ ok: false, error: { code: 'conflict' } });
      expect(await runner.act(host, { type: 'adjust', participantId: id, points: 5, reason: 'x' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
      expect(await runner.act(host, { type: 'refuse', requestId: id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
      expect(await runner.act(host, { type: 'admit', requestId: id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    }
    expect(runner.room.status).toBe('running');
    registry.dispose();
  });
});

describe('scores', () => {
  it('interview: the candidate sees "submitted", not points, until the host releases the score', async () => {
    const { registry, store, runner, host } = await setup('interview');
    const cand = seatOf(await registry.joinByCode(runner.room.code, 'Cand', 'player'));
    await runner.act(host, { type: 'start' });
    await runner.act(asPlayer(cand.id), { type: 'diagnose', rootCause: 'b', text: '', evidence: [] });
    await runner.act(host, { type: 'end' });
    expect(viewOf(runner, cand.id).scores).toEqual([]);
    expect(viewOf(runner, cand.id).diagnoses).toHaveLength(1);
    expect(viewOf(runner, host.participantId, 'host').scores).toHaveLength(1);
    expect(await runner.act(host, { type: 'release', participantId: 'nobody' })).toMatchObject({ ok: false, error: { code: 'conflict' } });

    await runner.act(host, { type: 'adjust', participantId: cand.id, points: 2, reason: 'private: clear explanation' });
    const released = await runner.act(host, { type: 'release', participantId: cand.id });
    expect(released.ok && released.events.map((e) => e.type)).toEqual(['score.released']);
    expect(viewOf(runner, cand.id).scores).toEqual([{ participantId: cand.id, total: 12, max: 10, parts: [
      { key: 'rootCause', points: 10, max: 10 }, { key: 'hints', points: -0, max: 0 }, { key: 'adjustment', points: 2, max: 0 },
    ] }]);
    // Adjusting a released score shows the player the new total at once.
    const again = await runner.act(host, { type: 'adjust', participantId: cand.id, points: -1, reason: 'took a risk' });
    expect(again.ok && again.events.map((e) => e.type)).toEqual(['score.adjusted', 'score.released']);
    expect(viewOf(runner, cand.id).scores[0]!.total).toBe(11);

    const log = (await store.listEvents(runner.room.id, 0)).map(fromStored);
    const seen = log.map((e) => viewFor({ role: 'player', participantId: cand.id }, e)).filter((e) => e !== null);
    expect(seen.filter((e) => e.type.startsWith('score.')).map((e) => e.type)).toEqual(['score.released', 'score.released']);
    expect(JSON.stringify(seen)).not.toContain('private: clear explanation');
    // The log replays to the same room.
    expect(replayRoom(fakeRuntime(7), runner.room.id, log).released).toEqual(runner.room.released);
    registry.dispose();
  });

  it('interview: a score released before the end is shown again as the end scores it, adjustments kept; hints pushed after the diagnosis cost nothing', async () => {
    const { registry, runner, host } = await setup('interview');
    const cand = seatOf(await registry.joinByCode(runner.room.code, 'Cand', 'player'));
    await runner.act(host, { type: 'start' });
    await runner.act(asPlayer(cand.id), { type: 'diagnose', rootCause: 'b', text: '', evidence: [] });
    await runner.act(host, { type: 'adjust', participantId: cand.id, points: 2, reason: 'clear explanation' });
    await runner.act(host, { type: 'release', participantId: cand.id });
    await runner.act(host, { type: 'push-hint', hintId: 'h2', participantId: cand.id });
    const ended = await runner.act(host, { type: 'end' });
    expect(ended.ok && ended.events.map((e) => e.type)).toEqual(['score.computed', 'score.released', 'room.ended']);
    expect(viewOf(runner, cand.id).scores).toMatchObject([{ participantId: cand.id, total: 12 }]);
    registry.dispose();
  });

  it('a spectator cannot move a score; a host moves it only by a written adjustment, shown as its own part', async () => {
    const { registry, runner, host } = await setup('gameday', { allowSpectators: true, autoHints: false });
    const a = seatOf(await registry.joinByCode(runner.room.code, 'A', 'player'));
    const sue = { participantId: seatOf(await registry.joinByCode(runner.room.code, 'Sue', 'spectator')).id, role: 'spectator' as const };
    await runner.act(host, { type: 'start' });
    // Diagnosing, typing into the cluster, asking for hints, adjusting or ending: a spectator's attempts are refused and logged nowhere.
    const seqBefore = runner.room.seq;
    const attempts: Action[] = [
      { type: 'diagnose', rootCause: 'b', text: '', evidence: [] }, { type: 'run', line: 'inc' }, { type: 'request-hint' },
      { type: 'adjust', participantId: a.id, points: 50, reason: 'x' }, { type: 'push-hint', hintId: 'h1', participantId: a.id }, { type: 'end' },
    ];
    for (const action of attempts) expect(await runner.act(sue, action)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // The host does not play: no diagnosis or command of their own.
    expect(await runner.act(host, { type: 'diagnose', rootCause: 'b', text: '', evidence: [] })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await runner.act(host, { type: 'run', line: 'inc' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(runner.room.seq).toBe(seqBefore);
    await runner.act(asPlayer(a.id), { type: 'diagnose', rootCause: 'b', text: '', evidence: [] });
    await runner.act(host, { type: 'adjust', participantId: a.id, points: -4, reason: 'ignored the runbook' });
    await runner.act(host, { type: 'end' });
    expect(viewOf(runner, a.id).scores).toEqual([{ participantId: a.id, total: 6, max: 10, parts: [
      { key: 'rootCause', points: 10, max: 10 }, { key: 'hints', points: -0, max: 0 }, { key: 'adjustment', points: -4, max: 0 },
    ] }]);
    registry.dispose();
  });

  it('game day: every player sees their own score when the room ends, the left ones scored too', async () => {
    const { registry, runner, host } = await setup('gameday');
    const a = seatOf(await registry.joinByCode(runner.room.code, 'A', 'player'));
    const b = seatOf(await registry.joinByCode(runner.room.code, 'B', 'player'));
    await runner.act(host, { type: 'start' });
    await runner.act(asPlayer(a.id), { type: 'diagnose', rootCause: 'b', text: '', evidence: [] });
    expect(viewOf(runner, a.id).scores).toEqual([]);
    await runner.act(asPlayer(b.id), { type: 'leave' });
    const ended = await runner.act(host, { type: 'end' });
    // A's diagnosis is scored again on the world as the room ends (what A did after it counts too).
    expect(ended.ok && ended.events.map((e) => e.type)).toEqual(['score.computed', 'score.computed', 'score.released', 'score.released', 'room.ended']);
    expect(viewOf(runner, a.id).scores).toMatchObject([{ participantId: a.id, total: 10 }]);
    expect(viewOf(runner, b.id).scores).toMatchObject([{ participantId: b.id, total: 0 }]);
    registry.dispose();
  });

  it('solo: giving up ends the room; the debrief comes only after the end', async () => {
    const { registry, runner, host } = await setup('solo');
    expect(buildDebrief(runner.room, runner.runtime, host.participantId)).toBeUndefined();
    expect(JSON.stringify(viewOf(runner, host.participantId))).not.toContain(SECRET);
    await runner.act(host, { type: 'run', line: 'get' });
    const gaveUp = await runner.act(host, { type: 'give-up' });
    expect(gaveUp.ok && gaveUp.events.map((e) => e.type)).toEqual(['score.computed', 'score.released', 'room.ended']);
    expect(runner.room.status).toBe('ended');
    const debrief = viewOf(runner, host.participantId).debrief!;
    expect(debrief.cause.explanation).toContain(SECRET);
    expect(debrief.evidence).toEqual([{ label: 'Output of get', finding: 'get prints a counter far above its usual value', found: false, why: 'observed (`get`) but not cited' }]);
    expect(debrief.reference).toEqual([{ line: 'get' }, { waitSec: 5 }, { line: 'inc' }]);
    expect(debrief.score.lines.map((l) => l.category)).toEqual(['rootCause', 'evidence']);
    expect(await runner.act(host, { type: 'give-up' })).toMatchObject({ ok: false, error: { code: 'room_ended' } });
    registry.dispose();
  });

  it('only a solo player gives up, and only a solo player turns auto-hints on', async () => {
    const { registry, runner, host } = await setup('interview');
    const cand = seatOf(await registry.joinByCode(runner.room.code, 'Cand', 'player'));
    await runner.act(host, { type: 'start' });
    expect(await runner.act(asPlayer(cand.id), { type: 'give-up' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await runner.act(asPlayer(cand.id), { type: 'settings', settings: { autoHints: true } })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    registry.dispose();
    const solo = await setup('solo');
    expect((await solo.runner.act(solo.host, { type: 'settings', settings: { autoHints: true } })).ok).toBe(true);
    for (let i = 0; i < 2; i++) await solo.runner.tick(60_000);
    expect(solo.runner.room.hints.map((h) => h.hintId)).toEqual(['h1']);
    solo.registry.dispose();
  });
});
