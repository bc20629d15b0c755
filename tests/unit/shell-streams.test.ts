// Commands that follow (kubectl get -w, kubectl logs -f, watch, journalctl -f) at an
// interactive terminal keep printing as the room's simulated clock moves, until Ctrl-C: the
// line leaves a stream in the session, each tick runs one step of it (its own line budget)
// as a `command.output` event the log keeps, and `cmd:interrupt` ends it with `^C`. The same
// lines piped, redirected or typed in the scripted shell stay bounded (shell-time.test.ts).
// Row layout of watch events: kubectl v1.29 pkg/cmd/get/get.go watch(), no header after the first table.
import { describe, expect, it } from 'vitest';
import { createMemoryRoomStore } from '../../server/db/memory-room-store.js';
import { replayRoom } from '../../server/rooms/reducer.js';
import { RoomRegistry } from '../../server/rooms/registry.js';
import { fromStored } from '../../server/rooms/log.js';
import { loadScenarioCatalog } from '../../server/rooms/scenario-runtime.js';
import { roomViewFor } from '../../server/rooms/view.js';
import { createCluster, demoClusterSpec, tick } from '../../server/cluster/index.js';
import { appendLog } from '../../server/cluster/logs.js';
import { factInterest } from '../../server/scenarios/facts.js';
import { continueStream, interruptStream, MAX_STREAM_CHARS, newSession, runLine } from '../../server/shell/index.js';

function terminal() {
  const state = createCluster(demoClusterSpec, 1);
  const session = newSession(state);
  const type = (line: string) => runLine(state, session, line, { interactive: true });
  const other = newSession(state);
  const elsewhere = (line: string) => runLine(state, other, line);
  const pass = (ms: number) => {
    tick(state, ms);
    return continueStream(state, session);
  };
  return { state, session, type, elsewhere, pass };
}

describe('streams in the shell', () => {
  it('kubectl get pods -w: the table, then a row per change as time passes, until ^C', () => {
    const { session, type, elsewhere, pass } = terminal();
    const first = type('kubectl get pods -w');
    expect(first).toMatchObject({ exitCode: 0, streaming: true });
    expect(first.output).toMatch(/^NAME {2,}READY {2,}STATUS/);
    expect(pass(5000)).toEqual({ output: '', ended: false });
    elsewhere('kubectl scale deploy web --replicas=4');
    const step = pass(5000);
    expect(step.ended).toBe(false);
    expect(step.output).toMatch(/^web-[a-z0-9]+-[a-z0-9]{5} {3}\d\/1 {3}\w+ {3}0 {5}\d+s\n$/);
    expect(interruptStream(session)).toBe('^C\n');
    expect(session.stream).toBeUndefined();
    expect(type('echo $?').output).toBe('130\n');
  });

  it('kubectl get pods -w --request-timeout=5s ends by itself once the watch request times out (get.go watch() returns nil)', () => {
    const { session, type, pass } = terminal();
    expect(type('kubectl get pods -w --request-timeout=5s')).toMatchObject({ exitCode: 0, streaming: true });
    expect(pass(3000)).toEqual({ output: '', ended: false });
    expect(pass(2000)).toEqual({ output: '', ended: true });
    expect(session.stream).toBeUndefined();
  });

  it('kubectl get pods -w prints a deleted pod\'s last row (the watch\'s DELETED event), once', () => {
    // get.go watch(): every event's object is printed, DELETED included; with
    // --output-watch-events the EVENT column says DELETED.
    const { type, elsewhere, pass } = terminal();
    const name = elsewhere('kubectl get pods -l app=web -o name').output.split('\n')[0]!.replace('pod/', '');
    expect(type('kubectl get pods -l app=web -w --output-watch-events')).toMatchObject({ streaming: true });
    elsewhere('kubectl label pod ' + name + ' app=other --overwrite');
    const out = pass(1000).output;
    expect(out).toMatch(new RegExp(`^DELETED {3}${name} {3}1/1 {3}Running`, 'm'));
    expect(pass(5000).output).not.toContain(`DELETED   ${name}`);
  });

  it('piped, redirected or in a list it does not follow (bounded, as before)', () => {
    const { session, type } = terminal();
    expect(type('kubectl get pods -w | head -1').streaming).toBeUndefined();
    expect(type('kubectl get pods -w > /tmp/w').streaming).toBeUndefined();
    expect(type('true; kubectl get pods -w').streaming).toBeUndefined();
    expect(session.stream).toBeUndefined();
  });

  it('watch -n 2: a frame once the interval has passed', () => {
    const { type, pass } = terminal();
    expect(type('watch -n 2 date +%s')).toMatchObject({ streaming: true });
    expect(pass(1000).output).toBe('');
    const frame = pass(1000).output;
    expect(frame).toMatch(/^Every 2\.0s: date \+%s {2,}workstation: .*\n\n\d+\n$/);
  });

  it('kubectl logs -f ends by itself when its pod is gone', () => {
    const { state, type, elsewhere, pass } = terminal();
    const pod = Object.values(state.pods).find((p) => p.metadata.name.startsWith('web-'))!.metadata.name;
    expect(type(`kubectl logs -f ${pod}`).streaming).toBe(true);
    expect(pass(5000).ended).toBe(false);
    elsewhere(`kubectl delete pod ${pod} --grace-period=0 --force`);
    expect(pass(5000).ended).toBe(true);
  });

  it('what a step prints counts as seen, like a typed line (scoring reads it)', () => {
    const { state, session, type } = terminal();
    const pod = Object.values(state.pods).find((p) => p.metadata.name.startsWith('web-'))!;
    expect(type(`kubectl logs -f ${pod.metadata.name}`).streaming).toBe(true);
    appendLog(pod.status.containerStatuses[0]!.logs, { at: state.now, text: 'upstream timed out (110: Connection timed out)' });
    const interest = factInterest([{ source: 'log', field: 'nginx', contains: 'upstream timed out' }]);
    const step = continueStream(state, session, { interest });
    expect(step.output).toBe('upstream timed out (110: Connection timed out)\n');
    expect(step.observed).toContainEqual(expect.objectContaining({ source: 'log', name: pod.metadata.name, value: 'upstream timed out (110: Connection timed out)' }));
  });

  it('journalctl -f on a node prints the lines written since the last step', () => {
    const { type, pass } = terminal();
    type('ssh worker-1');
    expect(type('journalctl -u kubelet -f').streaming).toBe(true);
    const steps = [pass(5000), pass(5000)];
    expect(steps.every((s) => !s.ended)).toBe(true);
  });

  it('a stream stops after MAX_STREAM_CHARS, saying so: no terminal grows without bound', () => {
    const { session, type, pass } = terminal();
    type('watch -n 1 seq 20000');
    let printed = 0;
    let last = { output: '', ended: false };
    for (let i = 0; i < 100 && !last.ended; i++) {
      last = pass(1000);
      printed += last.output.length;
    }
    expect(last.ended).toBe(true);
    expect(last.output).toMatch(/stopped \(run it again to go on\)\n$/);
    expect(printed).toBeLessThan(MAX_STREAM_CHARS * 2);
    expect(session.stream).toBeUndefined();
  });
});

describe('streams in a room', () => {
  const { catalog } = loadScenarioCatalog();

  it('ticks print the stream for the player, Ctrl-C stops it, other commands wait; replay gives the same room', async () => {
    const store = createMemoryRoomStore();
    const registry = new RoomRegistry({ store, catalog, tickMs: 0 });
    const created = await registry.create({ scenarioId: 'coredns-down', mode: 'solo', seed: 11, name: 'Min', settings: { allowSpectators: false, autoHints: false } });
    if (!('runner' in created)) throw new Error(created.error.message);
    const { runner } = created;
    const player = { participantId: created.participantId, role: 'player' as const };
    await runner.act(player, { type: 'start' });
    expect(await runner.act(player, { type: 'interrupt' })).toMatchObject({ ok: false, error: { code: 'conflict', message: 'no command is running' } });
    await runner.act(player, { type: 'run', line: 'kubectl delete pod -n kube-system -l k8s-app=kube-dns' });
    const started = await runner.act(player, { type: 'run', line: 'kubectl get pods -n kube-system -l k8s-app=kube-dns -w' });
    expect(started).toMatchObject({ ok: true, line: { streaming: true } });
    expect(roomViewFor(runner.room, runner.runtime, player, new Set()).terminals[0]!.streaming).toBe(true);
    expect(await runner.act(player, { type: 'run', line: 'date' })).toMatchObject({ ok: false, error: { code: 'conflict', message: 'a command is still running: press Ctrl-C first' } });
    for (let i = 0; i < 6; i++) await runner.tick(5000);
    const entry = runner.room.terminals[player.participantId]!.entries.at(-1)!;
    expect(entry.line).toBe('kubectl get pods -n kube-system -l k8s-app=kube-dns -w');
    expect(entry.output.split('\n').length).toBeGreaterThan(4); // header, the pods, then rows as they start
    expect((await runner.act(player, { type: 'interrupt' })).ok).toBe(true);
    expect(runner.room.terminals[player.participantId]!.entries.at(-1)!.output).toMatch(/\^C\n$/);
    expect((await runner.act(player, { type: 'run', line: 'echo $?' })).ok).toBe(true);
    expect(runner.room.terminals[player.participantId]!.entries.at(-1)!.output).toBe('130\n');

    const log = (await store.listEvents(runner.room.id, 0)).map(fromStored);
    expect(log.filter((e) => e.type === 'command.output').length).toBe(6);
    const replayed = replayRoom(runner.runtime, runner.room.id, log);
    expect(replayed.divergences).toEqual([]);
    expect(replayed.terminals[player.participantId]!.entries).toEqual(runner.room.terminals[player.participantId]!.entries);
    registry.dispose();
  });
});
