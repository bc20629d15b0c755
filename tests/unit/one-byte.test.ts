// Text kept or sent on is one byte a character when it fits in Latin-1 (server/one-byte.ts):
// V8 keeps a slice of two-byte text, or a concatenation with a two-byte piece, two-byte.
import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { createMemoryRoomStore } from '../../server/db/memory-room-store.js';
import { oneByte } from '../../server/one-byte.js';
import { RoomRegistry } from '../../server/rooms/registry.js';
import { loadScenarioCatalog } from '../../server/rooms/scenario-runtime.js';

/** Bytes V8's serializer writes per character: ~1 for a one-byte string, ~2 for a two-byte one. */
const bytesPerChar = (text: string) => (serialize(text).length - serialize('').length - 4) / text.length;

describe('one-byte text', () => {
  it('copies Latin-1 text out of a two-byte string, and leaves other text as it is', () => {
    const source = `${'ready '.repeat(200)}— 준비`;
    const slice = source.slice(0, 1200);
    expect(bytesPerChar(slice)).toBeGreaterThan(1.9);
    expect(oneByte(slice)).toBe(slice);
    expect(bytesPerChar(oneByte(slice))).toBeLessThan(1.1);
    expect(oneByte(source)).toBe(source);
    expect(oneByte('café')).toBe('café');
  });

  it("keeps a room's outputs one byte a character, whatever pieces the printers joined", async () => {
    const { catalog } = loadScenarioCatalog();
    const registry = new RoomRegistry({ store: createMemoryRoomStore(), catalog, tickMs: 0, snapshotEvery: 0 });
    const created = await registry.create({ scenarioId: 'etcd-nospace', mode: 'solo', seed: 1, name: 'Min', settings: { allowSpectators: false, autoHints: false } });
    if (!('runner' in created)) throw new Error(created.error.message);
    const player = { participantId: created.participantId, role: 'player' as const };
    await created.runner.act(player, { type: 'start' });
    // Each was two-byte: names from a scenario file with Hangul in it, and the YAML and describe printers.
    for (const line of ['kubectl get pods -A', 'kubectl get pods -A -o yaml', 'kubectl describe pods -n kube-system']) {
      const result = await created.runner.act(player, { type: 'run', line });
      if (!result.ok || !result.line) throw new Error(`${line} failed`);
      expect(result.line.output.length).toBeGreaterThan(500);
      expect(bytesPerChar(result.line.output)).toBeLessThan(1.1);
    }
    registry.dispose();
  });
});
