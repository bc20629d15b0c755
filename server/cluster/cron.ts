// Cron schedules as a CronJob's spec.schedule writes them (kubernetes uses robfig/cron's
// standard parser): five fields minute hour day-of-month month day-of-week, each `*`, `?`,
// a value, a range `a-b`, a step `x/n` and comma lists of those; month and weekday names;
// and the descriptors @yearly @annually @monthly @weekly @daily @midnight @hourly. Times are
// ms since the Unix epoch, read in UTC.

export interface CronSchedule {
  minute: Set<number>;
  hour: Set<number>;
  dom: Set<number>;
  month: Set<number>;
  dow: Set<number>;
  /** robfig/cron: when day-of-month or day-of-week is a bare `*`/`?`, both must match; otherwise either. */
  domStar: boolean;
  dowStar: boolean;
}

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0', '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface Bounds { min: number; max: number; names?: string[]; offset?: number }
const BOUNDS: Bounds[] = [{ min: 0, max: 59 }, { min: 0, max: 23 }, { min: 1, max: 31 }, { min: 1, max: 12, names: MONTHS, offset: 1 }, { min: 0, max: 6, names: DAYS, offset: 0 }];

function value(text: string, b: Bounds): number {
  const named = b.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + b.offset!;
  if (!/^\d{1,2}$/.test(text)) throw new Error(`failed to parse int from ${text}`);
  return Number(text);
}

/** One field: the set of values it allows, and whether it was a bare star. */
function parseField(field: string, b: Bounds): { values: Set<number>; star: boolean } {
  const values = new Set<number>();
  let star = false;
  for (const part of field.split(',')) {
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined || range === undefined || range === '') throw new Error(`invalid expression ${part}`);
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      [lo, hi] = [b.min, b.max];
      star = stepText === undefined || stepText === '1';
    } else {
      const [a, z, more] = range.split('-');
      if (more !== undefined) throw new Error(`too many hyphens: ${range}`);
      lo = value(a!, b);
      // "N/step" means "N-max/step".
      hi = z !== undefined ? value(z, b) : stepText !== undefined ? b.max : lo;
    }
    const step = stepText === undefined ? 1 : /^\d{1,2}$/.test(stepText) ? Number(stepText) : NaN;
    if (!(step >= 1)) throw new Error(`step of range should be a positive number: ${part}`);
    if (lo < b.min) throw new Error(`beginning of range (${lo}) below minimum (${b.min}): ${part}`);
    if (hi > b.max) throw new Error(`end of range (${hi}) above maximum (${b.max}): ${part}`);
    if (lo > hi) throw new Error(`beginning of range (${lo}) beyond end of range (${hi}): ${part}`);
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return { values, star };
}

/** Parse a schedule; throws an Error with robfig/cron's wording when it is not one. */
export function parseCron(schedule: string): CronSchedule {
  const text = schedule.trim();
  if (text === '') throw new Error('empty spec string');
  const expanded = text.startsWith('@') ? DESCRIPTORS[text.toLowerCase()] : text;
  if (expanded === undefined) throw new Error(`unrecognized descriptor: ${text}`);
  const fields = expanded.split(/\s+/);
  if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: ${text}`);
  const [minute, hour, dom, month, dow] = fields.map((f, i) => parseField(f, BOUNDS[i]!));
  return { minute: minute!.values, hour: hour!.values, dom: dom!.values, month: month!.values, dow: dow!.values, domStar: dom!.star, dowStar: dow!.star };
}

function dayMatches(s: CronSchedule, d: Date): boolean {
  const dom = s.dom.has(d.getUTCDate());
  const dow = s.dow.has(d.getUTCDay());
  return s.domStar || s.dowStar ? dom && dow : dom || dow;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** robfig/cron gives up after five years without a match (e.g. `0 0 30 2 *`). */
const SEARCH_LIMIT = 5 * 366 * DAY;

/** The first scheduled minute strictly after `after`, or undefined when none comes within five years. */
export function nextRun(s: CronSchedule, after: number): number | undefined {
  let t = Math.floor(after / MINUTE) * MINUTE + MINUTE;
  const limit = t + SEARCH_LIMIT;
  while (t <= limit) {
    const d = new Date(t);
    if (!s.month.has(d.getUTCMonth() + 1)) t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    else if (!dayMatches(s, d)) t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) + DAY;
    else if (!s.hour.has(d.getUTCHours())) t = Math.floor(t / HOUR) * HOUR + HOUR;
    else if (!s.minute.has(d.getUTCMinutes())) t += MINUTE;
    else return t;
  }
  return undefined;
}
