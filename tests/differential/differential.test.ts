// Differential test of the text tools: every line of corpus.txt runs in real bash (GNU
// coreutils, gawk, GNU sed and grep, jq, LC_ALL=C.UTF-8) and in kubedrill's shell with the same
// fixture on standard input; stdout, stderr and the exit status must be the same bytes.
// Only the differences in ALLOWED (each with its reason) are tolerated.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCluster, demoClusterSpec } from '../../server/cluster/index.js';
import { newSession, parseLine } from '../../server/shell/index.js';
import { Input } from '../../server/shell/input.js';
import { Runner } from '../../server/shell/run.js';

const here = dirname(fileURLToPath(import.meta.url));

interface Case {
  line: number;
  fixture: string;
  command: string;
}

interface Result {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * Differences accepted on purpose, by the corpus command they concern: what may differ and why.
 * Keep it short: each entry is a known gap a player could notice.
 */
const ALLOWED: Record<string, { differs: 'stderr'; why: string }> = {
  "jq '.' <<< 'not json'": {
    differs: 'stderr',
    why: "Debian's jq 1.6 security updates word this parse error differently (1.6-2.1+deb12u1: 'Invalid literal', deb12u3: 'Invalid numeric literal'); the shell follows the machine image's",
  },
};

/** corpus.txt: `< FIXTURE` picks the stdin of the lines after it (`< -`: none); `#` comments. */
function loadCorpus(): Case[] {
  const cases: Case[] = [];
  let fixture = '-';
  readFileSync(join(here, 'corpus.txt'), 'utf8').split('\n').forEach((text, i) => {
    if (text.trim() === '' || text.startsWith('#')) return;
    if (text.startsWith('< ')) fixture = text.slice(2).trim();
    else cases.push({ line: i + 1, fixture, command: text });
  });
  return cases;
}

const fixtures = new Map<string, string>();
function fixtureText(name: string): string {
  if (name === '-') return '';
  if (!fixtures.has(name)) fixtures.set(name, readFileSync(join(here, 'fixtures', name), 'utf8'));
  return fixtures.get(name)!;
}

/** Real bash runs in an empty directory of its own: a line that writes a file writes it there. */
const workDir = mkdtempSync(join(tmpdir(), 'kubedrill-differential-'));

function runBash(command: string, stdin: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C.UTF-8', HOME: '/nonexistent' },
      cwd: workDir,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 10_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.on('error', () => undefined); // a tool that reads nothing closes the pipe early
    child.stdin.end(stdin);
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, exitCode: code ?? -1 }));
  });
}

/**
 * The text tools read no cluster state: one cluster serves every case. `sleep` moves its clock
 * only (no controller runs), so that lines comparing files' times with `date` see time pass.
 */
const state = createCluster(demoClusterSpec, 1);
const moveClock = (ms: number): void => {
  state.now += ms;
};

function runKubedrill(command: string, stdin: string): Result {
  const session = newSession(state);
  const parsed = parseLine(command);
  if (!parsed.ok) return { stdout: '', stderr: parsed.error, exitCode: 2 };
  const outcome = new Runner(state, undefined, moveClock).runList(session, parsed.list, new Input(stdin));
  const text = (fd: 1 | 2): string => outcome.chunks.filter((c) => c.fd === fd).map((c) => c.text).join('');
  return { stdout: text(1), stderr: text(2), exitCode: outcome.exitCode };
}

/** Runs `work` over the items, `width` at a time. */
async function pool<T, R>(items: T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

const cases = loadCorpus();
const expected = new Map<Case, Result>();

describe('text tools against real bash and GNU tools', () => {
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));
  beforeAll(async () => {
    const results = await pool(cases, Math.max(2, availableParallelism()), (c) => runBash(c.command, fixtureText(c.fixture)));
    cases.forEach((c, i) => expected.set(c, results[i]!));
  }, 120_000);

  it('has a corpus of several hundred lines', () => {
    expect(cases.length).toBeGreaterThanOrEqual(300);
  });

  it.each(cases.map((c) => [`${c.line}: ${c.command} < ${c.fixture}`, c] as const))('%s', (_name, c) => {
    const real = expected.get(c)!;
    const ours = runKubedrill(c.command, fixtureText(c.fixture));
    const allowed = ALLOWED[c.command];
    if (allowed?.differs === 'stderr') {
      ours.stderr = real.stderr;
    }
    expect(ours).toEqual(real);
  });

  it('allows only differences that still occur', () => {
    for (const command of Object.keys(ALLOWED)) expect(cases.some((c) => c.command === command), command).toBe(true);
  });
});
