// Reads of a room's log at once: each holds a room's retained outputs (a few MB) and keeps
// the database and the loop busy while it pages. Beyond the gate, `unavailable` (try again
// shortly) rather than a queue that grows with whoever asks. Used by replays and reports
// (at once in the process) and by socket resumes (at once per client address).
import { failure, type AckError } from '../protocol/index.js';

export class ReadGate {
  private running = 0;
  private readonly byKey = new Map<string, number>();

  /** `size` at once in all, `perKey` at once per key (a client address); `busy` says why one is refused. */
  constructor(
    private readonly size: number,
    private readonly perKey = Infinity,
    private readonly busy = 'too many room logs are being read; try again shortly',
  ) {}

  async run<T>(read: () => Promise<T>, key = ''): Promise<T | AckError> {
    const held = this.byKey.get(key) ?? 0;
    if (this.running >= this.size || held >= this.perKey) return failure('unavailable', this.busy);
    this.running++;
    this.byKey.set(key, held + 1);
    try {
      return await read();
    } finally {
      this.running--;
      const left = (this.byKey.get(key) ?? 1) - 1;
      if (left === 0) this.byKey.delete(key);
      else this.byKey.set(key, left);
    }
  }
}
