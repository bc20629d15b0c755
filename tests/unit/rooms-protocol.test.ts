import { describe, expect, it } from 'vitest';
import { ClientMessages, JoinCode, PublicEvent, RoomEvent } from '../../server/protocol/index.js';
import { TokenBucket } from '../../server/socket/rate-limit.js';
import { hashToken, newJoinCode, newToken } from '../../server/rooms/tokens.js';

describe('protocol schemas', () => {
  it('accepts join codes case-insensitively and rejects look-alike characters', () => {
    expect(JoinCode.parse(' abcd2345 ')).toBe('ABCD2345');
    expect(JoinCode.safeParse('ABCD0345').success).toBe(false); // 0 is not in the alphabet
    expect(JoinCode.safeParse('ABCD234').success).toBe(false);
    for (let i = 0; i < 50; i++) expect(JoinCode.safeParse(newJoinCode()).success).toBe(true);
  });

  it('never lets a player join as host by code', () => {
    expect(ClientMessages['room:join'].safeParse({ code: 'ABCDEFGH', name: 'x', role: 'host' }).success).toBe(false);
    expect(ClientMessages['room:join'].parse({ code: 'ABCDEFGH', name: ' Min ' })).toEqual({ code: 'ABCDEFGH', name: 'Min', role: 'player' });
    expect(ClientMessages['room:join'].safeParse({ token: newToken() }).success).toBe(true);
  });

  it('strips host-only fields from a public event', () => {
    const full = RoomEvent.parse({ seq: 2, simTime: 0, type: 'room.created', mode: 'interview', scenarioId: 'x', timeLimitMs: 1, seed: 7, code: 'ABCDEFGH' });
    expect(PublicEvent.parse(full)).toEqual({ seq: 2, simTime: 0, type: 'room.created', mode: 'interview', scenarioId: 'x', timeLimitMs: 1 });
    // A computed score is never public: players see a score only once it is released.
    const computed = RoomEvent.parse({ seq: 3, simTime: 0, type: 'score.computed', participantId: 'p', total: 5, max: 10, parts: [], breakdown: { why: 'secret' } });
    expect(PublicEvent.safeParse(computed).success).toBe(false);
    expect(PublicEvent.safeParse({ seq: 3, simTime: 0, type: 'seat.requested', participantId: 'p', name: 'x' }).success).toBe(false);
    expect(PublicEvent.safeParse({ seq: 4, simTime: 0, type: 'note.added', by: 'h', text: 'x' }).success).toBe(false);
  });

  it('stores only a hash of a token', () => {
    const token = newToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(token)).not.toContain(token);
  });
});

describe('TokenBucket', () => {
  it('allows a burst, then the refill rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    now += 100; // one token refilled
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    now += 10_000; // never more than the burst
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  });
});
