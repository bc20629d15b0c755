// The room rules behind what each audience meets (issue 16), on the room layer alone (memory
// store, fake runtime): co-host links open one host seat each and nothing else does; notes
// are signed and may be about a past moment; hosts learn which evidence a player's terminal
// showed (and only hosts); a solo room may wait for its player's Start.
import { describe, expect, it } from 'vitest';
import { createMemoryRoomStore } from '../../server/db/memory-room-store.js';
import { MAX_NOTES, MAX_OPEN_INVITES } from '../../server/rooms/decide.js';
import { fromStored } from '../../server/rooms/log.js';
import { replayRoom } from '../../server/rooms/reducer.js';
import { RoomRegistry, type Joined } from '../../server/rooms/registry.js';
import { buildReport } from '../../server/rooms/report.js';
import { hashToken, newToken } from '../../server/rooms/tokens.js';
import { roomViewFor, viewFor } from '../../server/rooms/view.js';
import type { AckError, HostRoomView, RoomMode } from '../../server/protocol/index.js';
import { fakeCatalog, fakeRuntime } from './rooms-fake.js';

async function setup(mode: RoomMode, startNow = true) {
  const store = createMemoryRoomStore();
  const registry = new RoomRegistry({ store, catalog: fakeCatalog(3_600_000), tickMs: 0 });
  const created = await registry.create({ scenarioId: 'fake', mode, seed: 7, name: 'Hana', startNow });
  if (!('runner' in created)) throw new Error(created.error.message);
  const host = { participantId: created.participantId, role: mode === 'solo' ? 'player' as const : 'host' as const };
  return { registry, store, runner: created.runner, host };
}

function seated(joined: Joined | AckError) {
  if (!('runner' in joined) || joined.placement.kind !== 'seat') throw new Error(`not seated: ${JSON.stringify(joined)}`);
  return { participantId: joined.placement.participant.id, role: joined.placement.participant.role };
}

describe('co-hosts', () => {
  it('a co-host link opens one host seat; players cannot make links or use made-up ones', async () => {
    const { registry, runner, host } = await setup('interview');
    const player = seated(await registry.joinByCode(runner.room.code, 'Min', 'player'));

    // A player asking for a link, or joining with a secret no host made, gets nowhere.
    expect(await runner.act(player, { type: 'invite-cohost', inviteHash: hashToken(newToken()) })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await registry.joinByCode(runner.room.code, 'Mallory', { cohostInvite: newToken() })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await runner.act(player, { type: 'join', participantId: 'x', name: 'X', role: 'host' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    const secret = newToken();
    const made = await runner.act(host, { type: 'invite-cohost', inviteHash: hashToken(secret) });
    expect(made.ok).toBe(true);
    // The log holds the hash only, and no player or spectator receives the event.
    const invited = made.ok ? made.events.at(-1)! : undefined;
    expect(JSON.stringify(invited)).not.toContain(secret);
    expect(viewFor(player, invited!)).toBeNull();
    expect(viewFor({ participantId: 's', role: 'spectator' }, invited!)).toBeNull();

    const cohost = seated(await registry.joinByCode(runner.room.code, 'Dana', { cohostInvite: secret }));
    expect(cohost.role).toBe('host');
    // Used once: the same link opens nothing more.
    expect(await registry.joinByCode(runner.room.code, 'Eve', { cohostInvite: secret })).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringContaining('used already') } });

    // A co-host has the host's powers, and signs their notes.
    expect((await runner.act(cohost, { type: 'start' })).ok).toBe(true);
    expect((await runner.act(cohost, { type: 'note', text: 'asks good questions' })).ok).toBe(true);
    expect((await runner.act(host, { type: 'note', text: 'agreed' })).ok).toBe(true);
    const view = roomViewFor(runner.room, runner.runtime, host, new Set()) as HostRoomView;
    expect(view.host.notes.map((n) => [view.participants.find((p) => p.id === n.by)?.name, n.text])).toEqual([['Dana', 'asks good questions'], ['Hana', 'agreed']]);

    // Open links are bounded.
    for (let i = 0; i < MAX_OPEN_INVITES; i++) await runner.act(host, { type: 'invite-cohost', inviteHash: hashToken(newToken()) });
    expect(await runner.act(host, { type: 'invite-cohost', inviteHash: hashToken(newToken()) })).toMatchObject({ ok: false, error: { code: 'rate_limited' } });

    // The log replays to the same room (the invite used, the co-host seated).
    const replayed = replayRoom(fakeRuntime(7, 3_600_000), runner.room.id, (await registry.store.listEvents(runner.room.id, 0)).map(fromStored));
    expect(replayed.participants[cohost.participantId]?.role).toBe('host');
    expect(replayed.cohostInvites[hashToken(secret)]?.usedBy).toBe(cohost.participantId);
    registry.dispose();
  });

  it('a room keeps a bounded number of notes', async () => {
    const { registry, runner, host } = await setup('interview');
    for (let i = 0; i < MAX_NOTES; i++) expect((await runner.act(host, { type: 'note', text: `note ${i}` })).ok).toBe(true);
    expect(await runner.act(host, { type: 'note', text: 'one more' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(runner.room.notes).toHaveLength(MAX_NOTES);
    registry.dispose();
  });

  it('co-hosts may still come in to review an ended room', async () => {
    const { registry, runner, host } = await setup('interview');
    seated(await registry.joinByCode(runner.room.code, 'Min', 'player'));
    await runner.act(host, { type: 'start' });
    await runner.act(host, { type: 'end' });
    const secret = newToken();
    expect((await runner.act(host, { type: 'invite-cohost', inviteHash: hashToken(secret) })).ok).toBe(true);
    expect(seated(await registry.joinByCode(runner.room.code, 'Dana', { cohostInvite: secret })).role).toBe('host');
    expect(await registry.joinByCode(runner.room.code, 'Late', 'player')).toMatchObject({ ok: false, error: { code: 'room_ended' } });
    registry.dispose();
  });
});

describe('notes at a moment', () => {
  it('a comment is about an event that happened; the report times it at that moment and names its author', async () => {
    const { registry, runner, host } = await setup('interview');
    const player = seated(await registry.joinByCode(runner.room.code, 'Min', 'player'));
    await runner.act(host, { type: 'start' });
    await runner.tick(30_000);
    const ran = await runner.act(player, { type: 'run', line: 'get' });
    const at = ran.ok ? ran.events.at(-1)!.seq : 0;
    await runner.tick(60_000);
    await runner.act(host, { type: 'end' });
    expect(await runner.act(host, { type: 'note', text: 'later', at: runner.room.seq + 5 })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect((await runner.act(host, { type: 'note', text: 'good first look', at })).ok).toBe(true);
    const log = (await registry.store.listEvents(runner.room.id, 0)).map(fromStored);
    const report = buildReport(runner.room, runner.runtime, log);
    const commandTime = log.find((e) => e.seq === at)!.simTime;
    expect(report.notes).toEqual([{ simTime: commandTime, text: 'good first look', by: 'Hana', at }]);
    expect(commandTime).toBeLessThan(runner.room.cluster.now);
    registry.dispose();
  });
});

describe('what hosts learn of a player\'s evidence', () => {
  it('command events carry the evidence a line showed for hosts only; the host view has each item\'s first command', async () => {
    const { registry, runner, host } = await setup('interview');
    const player = seated(await registry.joinByCode(runner.room.code, 'Min', 'player'));
    await runner.act(host, { type: 'start' });
    const before = await runner.act(player, { type: 'run', line: 'inc' });
    const shown = await runner.act(player, { type: 'run', line: 'get' });
    const again = await runner.act(player, { type: 'run', line: 'get' });
    const [incEvent, getEvent] = [before, shown].map((r) => (r.ok ? r.events.at(-1)! : undefined));
    expect(incEvent).not.toHaveProperty('evidence');
    expect(getEvent).toMatchObject({ type: 'command', evidence: ['ev-get'] });
    expect(viewFor(player, getEvent!)).not.toHaveProperty('evidence');
    expect(viewFor({ participantId: 's', role: 'spectator' }, getEvent!)).not.toHaveProperty('evidence');
    const hostView = roomViewFor(runner.room, runner.runtime, host, new Set()) as HostRoomView;
    expect(hostView.host.seen[player.participantId]).toEqual([{ evidenceId: 'ev-get', seq: getEvent!.seq }]);
    expect(hostView.host.key.evidence[0]).toMatchObject({ id: 'ev-get', label: 'Output of get', key: true });
    expect(JSON.stringify(roomViewFor(runner.room, runner.runtime, player, new Set()))).not.toMatch(/"seen"|"key"|ev-get.*usual value/);
    expect(again.ok).toBe(true);
    registry.dispose();
  });
});

describe('solo start', () => {
  it('a solo room created to wait runs no time until its player starts it; only its player may', async () => {
    const { registry, runner, host } = await setup('solo', false);
    expect(runner.room.status).toBe('lobby');
    expect(await runner.act(host, { type: 'run', line: 'get' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    await runner.tick(60_000);
    expect(runner.room.elapsedMs).toBe(0);
    expect((await runner.act(host, { type: 'start' })).ok).toBe(true);
    expect(runner.room.status).toBe('running');
    await runner.tick(1000);
    expect(runner.room.elapsedMs).toBe(1000);
    // Other rooms' players still may not start anything.
    const interview = await setup('interview');
    const player = seated(await interview.registry.joinByCode(interview.runner.room.code, 'Min', 'player'));
    expect(await interview.runner.act(player, { type: 'start' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    interview.registry.dispose();
    registry.dispose();
  });
});
