// The browser's fold of room events over the join view (live screens and replay share it),
// and its reading of the scenario's player view.
import { describe, expect, it } from 'vitest';
import type { HostRoomView, RoomEvent } from '../../server/protocol/index.js';
import { adjustedScore, applyEvent, commandCount, countOtherCommands, emptyView, modelFromView, nameOf } from '../../client/src/net/room-model.js';
import { choiceLabel, formatClock, scenarioInfo } from '../../client/src/net/scenario-info.js';
import { parseRoute } from '../../client/src/router.js';

const LOG: RoomEvent[] = [
  { seq: 1, simTime: 0, type: 'room.created', mode: 'interview', scenarioId: 'etcd-nospace', timeLimitMs: 600_000, seed: 7, code: 'ABCD2345' },
  { seq: 2, simTime: 0, type: 'participant.joined', participantId: 'h', name: 'Host', role: 'host' },
  { seq: 3, simTime: 0, type: 'participant.joined', participantId: 'p', name: 'Min', role: 'player' },
  { seq: 4, simTime: 0, type: 'room.started', by: 'h' },
  { seq: 5, simTime: 0, type: 'tick', ms: 1000 },
  { seq: 6, simTime: 1000, type: 'command', participantId: 'p', line: 'kubectl get nodes', output: 'NAME   STATUS\n', exitCode: 0 },
  { seq: 7, simTime: 1000, type: 'hint.requested', participantId: 'p' },
  { seq: 8, simTime: 1000, type: 'hint.pushed', hintId: 'h1', text: 'look at etcd', cost: 5, by: 'h', participantId: 'p' },
  { seq: 9, simTime: 1000, type: 'signal', participantId: 'p', kind: 'paste', amount: 12 },
  { seq: 10, simTime: 1000, type: 'room.extended', by: 'h', ms: 300_000 },
  { seq: 11, simTime: 1000, type: 'diagnosis.submitted', participantId: 'p', rootCause: 'etcd-quota', text: 'db full', evidence: ['alarm'] },
  { seq: 12, simTime: 1000, type: 'score.computed', participantId: 'p', total: 70, max: 100, parts: [{ key: 'rootCause', points: 40, max: 40 }], breakdown: { why: 'x' } },
  { seq: 13, simTime: 1000, type: 'score.adjusted', participantId: 'p', points: 5, reason: 'good notes', by: 'h' },
  { seq: 14, simTime: 1000, type: 'room.ended', by: 'h', reason: 'host' },
];

function hostModel() {
  const view = emptyView('room-1', { participantId: 'h', name: 'Host', role: 'host' }) as HostRoomView;
  const key = { cause: { title: 'etcd full', explanation: 'quota' }, evidence: [], fixes: [], harmful: [], reference: [], prevention: [] };
  view.host = { seed: 7, key, seen: {}, answerKey: {}, hints: [{ id: 'h1', text: 'look at etcd', cost: 5, pushed: false }], faults: [], notes: [], signals: [], adjustments: [], breakdowns: {}, released: [], requests: [] };
  return modelFromView(view);
}

describe('room model', () => {
  it('folds a log into what the host console shows', () => {
    const model = hostModel();
    for (const event of LOG.slice(0, 7)) applyEvent(model, event);
    expect(model.hintRequests).toEqual([{ seq: 7, participantId: 'p' }]);
    for (const event of LOG.slice(7)) applyEvent(model, event);
    const { view } = model;
    expect(view.status).toBe('ended');
    expect(view.seq).toBe(14);
    expect(view.code).toBe('ABCD2345');
    expect(view.timer).toEqual({ limitMs: 900_000, elapsedMs: 1000, remainingMs: 899_000 });
    expect(view.terminals).toEqual([{ participantId: 'p', prompt: '$ ', entries: [{ seq: 6, line: 'kubectl get nodes', output: 'NAME   STATUS\n', exitCode: 0 }] }]);
    expect(model.hintRequests).toEqual([]);
    expect((view as HostRoomView).host.hints[0]!.pushed).toBe(true);
    expect((view as HostRoomView).host.signals).toEqual([{ seq: 9, participantId: 'p', kind: 'paste', amount: 12 }]);
    expect((view as HostRoomView).host.breakdowns.p).toEqual({ why: 'x' });
    expect(adjustedScore(view, 'p')).toEqual({ total: 75, max: 100 });
    expect(model.activity.map((e) => e.seq)).not.toContain(5); // ticks are not activity
  });

  it('gives a player only their own terminal', () => {
    const model = modelFromView(emptyView('room-1', { participantId: 'p', name: 'Min', role: 'player' }));
    applyEvent(model, { seq: 1, simTime: 0, type: 'participant.joined', participantId: 'q', name: 'Other', role: 'player' });
    applyEvent(model, { seq: 2, simTime: 0, type: 'participant.joined', participantId: 'p', name: 'Min', role: 'player' });
    expect(model.view.terminals.map((t) => t.participantId)).toEqual(['p']);
  });

  it('shows a player a released score; the host keeps the computed one and notes the release', () => {
    const released: RoomEvent = { seq: 3, simTime: 0, type: 'score.released', participantId: 'p', total: 12, max: 10, parts: [{ key: 'adjustment', points: 2, max: 0 }] };
    const player = modelFromView(emptyView('room-1', { participantId: 'p', name: 'Min', role: 'player' }));
    applyEvent(player, released);
    expect(player.view.scores).toEqual([{ participantId: 'p', total: 12, max: 10, parts: [{ key: 'adjustment', points: 2, max: 0 }] }]);
    const model = hostModel();
    applyEvent(model, { seq: 2, simTime: 0, type: 'score.computed', participantId: 'p', total: 10, max: 10, parts: [], breakdown: {} });
    applyEvent(model, released);
    expect(model.view.scores).toMatchObject([{ participantId: 'p', total: 10 }]);
    expect((model.view as HostRoomView).host.released).toEqual(['p']);
  });

  it('counts the other players\' commands in a player\'s replay, up to the moment shown', () => {
    const model = modelFromView(emptyView('room-1', { participantId: 'p', name: 'Min', role: 'player' }));
    applyEvent(model, { seq: 1, simTime: 0, type: 'participant.joined', participantId: 'q', name: 'Other', role: 'player' });
    applyEvent(model, { seq: 2, simTime: 0, type: 'participant.joined', participantId: 'p', name: 'Min', role: 'player' });
    applyEvent(model, { seq: 3, simTime: 0, type: 'command', participantId: 'p', line: 'get', output: '', exitCode: 0 });
    countOtherCommands(model, [{ seq: 4, participantId: 'q' }, { seq: 6, participantId: 'q' }], 5);
    expect([commandCount(model, 'p'), commandCount(model, 'q')]).toEqual([1, 1]);
  });

  it('keeps who left (marked) and follows seat requests for the host', () => {
    const model = hostModel();
    applyEvent(model, { seq: 1, simTime: 0, type: 'participant.joined', participantId: 'p', name: 'Min', role: 'player' });
    applyEvent(model, { seq: 2, simTime: 0, type: 'participant.left', participantId: 'p' });
    expect(model.view.participants).toMatchObject([{ id: 'p', left: true }]);
    expect(nameOf(model.view, 'p')).toBe('Min');
    applyEvent(model, { seq: 3, simTime: 0, type: 'participant.returned', participantId: 'p' });
    expect(model.view.participants).toMatchObject([{ id: 'p', left: false }]);
    applyEvent(model, { seq: 4, simTime: 0, type: 'seat.requested', participantId: 'r', name: 'Min' });
    applyEvent(model, { seq: 5, simTime: 0, type: 'seat.admitted', participantId: 'r', seatId: 'p', by: 'h' });
    applyEvent(model, { seq: 6, simTime: 0, type: 'room.settings', by: 'h', allowSpectators: true });
    expect((model.view as HostRoomView).host.requests).toEqual([{ id: 'r', name: 'Min', status: 'admitted', seatId: 'p' }]);
    expect(model.view.settings.allowSpectators).toBe(true);
  });
});

describe('scenario player view', () => {
  it('reads the fields the screens show', () => {
    const info = scenarioInfo({
      id: 'etcd-nospace', title: 'Writes fail', difficulty: 'hard', timeLimitSec: 1200, tags: ['etcd'], briefing: 'kubectl apply fails',
      causes: [{ id: 'quota', title: 'etcd DB over quota' }], evidence: [{ id: 'alarm', label: 'etcdctl alarm list' }], hints: [{ id: 'h1', cost: 5 }],
    });
    expect(info).toMatchObject({ id: 'etcd-nospace', title: 'Writes fail', difficulty: 'hard', timeLimitMs: 1_200_000, tags: ['etcd'], hints: [{ id: 'h1', cost: 5 }] });
    expect(choiceLabel(info.causes, 'quota')).toBe('etcd DB over quota');
    expect(choiceLabel(info.evidence, 'typed by hand')).toBe('typed by hand');
    expect(scenarioInfo({ choices: ['a', 'b'] }).causes).toEqual([{ id: 'a', label: 'a' }, { id: 'b', label: 'b' }]);
  });

  it('formats clocks', () => {
    expect([formatClock(0), formatClock(61_999), formatClock(3_725_000), formatClock(-5)]).toEqual(['0:00', '1:01', '1:02:05', '0:00']);
  });
});

describe('routes', () => {
  it('maps URLs to screens', () => {
    expect(parseRoute('/')).toEqual({ name: 'home' });
    expect(parseRoute('/r/abcd2345')).toEqual({ name: 'room', code: 'ABCD2345' });
    expect(parseRoute('/host/123')).toEqual({ name: 'host', roomId: '123' });
    expect(parseRoute('/replay/123/')).toEqual({ name: 'replay', roomId: '123' });
    expect(parseRoute('/report/123')).toEqual({ name: 'report', roomId: '123' });
    expect(parseRoute('/nope/1/2')).toEqual({ name: 'not-found' });
  });
});
