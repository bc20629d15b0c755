// The date strings GNU `date -d` reads that SREs type: `@EPOCH`, ISO 8601, the layouts date
// and openssl print (`Mon Jun  3 09:00:00 UTC 2024`, `Jun  3 05:42:18 2025 GMT`), times of day
// (`10:00`, `3pm`), now/today/yesterday/tomorrow, days of the week with an ordinal (`monday`,
// `next monday`, `last friday`), and relative items (`1 hour ago`, `+2 days`, `next week`),
// in any order as parse-datetime.y takes them. Everything is UTC, as on our hosts. What it
// cannot read, and calendar dates or times that do not exist (2024-02-31, 24:00), are invalid.
//
// As in parse-datetime.y's get_date: a date or a day of the week without a time of day means
// midnight; a day of the week (ignored beside a calendar date) moves forward to that day (`this`/none: today counts, `next`:
// strictly after today's weekday, `last`: a week back); relative years, months and days are
// calendar steps (mktime normalises Jan 31 + 1 month to Mar 2), hours and less are seconds.

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
/** parse-datetime.y's relative_time_table ordinals (`second` is a unit there, not an ordinal). */
const ORDINALS: Record<string, number> = {
  last: -1, this: 0, next: 1, first: 1, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10, eleventh: 11, twelfth: 12,
};
const SECONDS: Record<string, number> = { sec: 1, second: 1, min: 60, minute: 60, hour: 3600 };
const DAY_UNITS: Record<string, number> = { day: 1, week: 7, fortnight: 14 };

const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:t(?=\d))?/;
const TEXT = /^(?:(?:sun|mon|tue|wed|thu|fri|sat)[a-z]*,?\s+)?([a-z]{3})[a-z]*\.?\s+(\d{1,2})(?:,?\s+(\d{4})(?![\d:]))?/;
const TIME = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?:\s*([ap])\.?m\.?\b)?|^(\d{1,2})\s*([ap])\.?m\.?\b/;
const ZONE = /^(?:z|utc|gmt|[+-]00:?00)(?![a-z0-9])/;
const YEAR = /^(\d{4})(?![\d:])/;
const DAY = /^(?:(last|this|next|first|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth)\s+)?(sun|mon|tue|wed|thu|fri|sat)(?:day|s|nesday|urday|rsday|sday)?\b,?/;
const RELATIVE = /^(?:([+-]?\s*\d+)|(last|this|next|first|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth))?\s*(sec|second|min|minute|hour|day|week|fortnight|month|year)s?\b/;
const WORD = /^(now|today|yesterday|tomorrow)\b/;

interface Parsed {
  date?: [number, number, number];
  time?: [number, number, number];
  day?: { ordinal: number; weekday: number };
  months: number;
  days: number;
  seconds: number;
}

function add(p: Parsed, item: { months: number; days: number; seconds: number }, times: number): void {
  p.months += item.months * times;
  p.days += item.days * times;
  p.seconds += item.seconds * times;
}

const validDate = (y: number, m: number, d: number): boolean => m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();

/** The instant a `date -d` string names, or undefined when GNU date would call it invalid. */
export function parseDate(text: string, now: Date): Date | undefined {
  const input = text.trim().toLowerCase();
  const epoch = /^@(-?\d+(?:\.\d+)?)$/.exec(input);
  if (epoch) {
    // Past JavaScript's range (±8.64e15 ms), where GNU still counts years: refused, not printed as NaN.
    const at = new Date(Number(epoch[1]) * 1000);
    return Number.isNaN(at.getTime()) ? undefined : at;
  }
  const p: Parsed = { months: 0, days: 0, seconds: 0 };
  let rest = input;
  while ((rest = rest.trimStart()) !== '') {
    let m: RegExpExecArray | null;
    if ((m = ISO.exec(rest)) && p.date === undefined) {
      p.date = [Number(m[1]), Number(m[2]), Number(m[3])];
    } else if ((m = TIME.exec(rest)) && p.time === undefined) {
      let hour = Number(m[1] ?? m[5]);
      const meridian = m[4] ?? m[6];
      if (meridian !== undefined) {
        if (hour < 1 || hour > 12) return undefined;
        hour = (hour % 12) + (meridian === 'p' ? 12 : 0);
      }
      p.time = [hour, Number(m[2] ?? 0), Number(m[3] ?? 0)];
    } else if ((m = ZONE.exec(rest))) {
      // UTC is the only zone here: nothing to shift.
    } else if ((m = DAY.exec(rest)) && p.day === undefined) {
      p.day = { ordinal: m[1] ? ORDINALS[m[1]]! : 0, weekday: DAYS.indexOf(m[2]!) };
    } else if ((m = TEXT.exec(rest)) && MONTHS.includes(m[1]!) && p.date === undefined) {
      // Without a year here, one may follow the time (openssl's layout); else it is this year.
      p.date = [m[3] !== undefined ? Number(m[3]) : -1, MONTHS.indexOf(m[1]!) + 1, Number(m[2])];
    } else if ((m = YEAR.exec(rest)) && p.date?.[0] === -1) {
      // `Jun  3 05:42:18 2025 GMT`: the year after the time.
      p.date[0] = Number(m[1]);
    } else if ((m = WORD.exec(rest))) {
      if (m[1] === 'yesterday') p.days -= 1;
      if (m[1] === 'tomorrow') p.days += 1;
    } else if ((m = RELATIVE.exec(rest)) && m[0].trim() !== '') {
      const count = m[1] !== undefined ? Number(m[1].replace(/\s+/g, '')) : m[2] !== undefined ? ORDINALS[m[2]]! : 1;
      const unit = m[3]!;
      const item = { months: 0, days: 0, seconds: 0 };
      if (unit === 'month' || unit === 'year') item.months = count * (unit === 'year' ? 12 : 1);
      else if (DAY_UNITS[unit] !== undefined) item.days = count * DAY_UNITS[unit];
      else item.seconds = count * SECONDS[unit]!;
      add(p, item, 1);
      rest = rest.slice(m[0].length).trimStart();
      const ago = /^ago\b/.exec(rest);
      if (ago) add(p, item, -2); // `relunit tAGO`: that item, negated
      rest = rest.slice(ago ? ago[0].length : 0);
      continue;
    } else return undefined;
    rest = rest.slice(m[0].length);
  }
  return resolve(p, now);
}

function resolve(p: Parsed, now: Date): Date | undefined {
  let [y, mo, d] = [now.getUTCFullYear(), now.getUTCMonth() + 1, now.getUTCDate()];
  if (p.date) {
    [y, mo, d] = [p.date[0] === -1 ? y : p.date[0], p.date[1], p.date[2]];
    if (!validDate(y, mo, d)) return undefined;
  }
  let time = [now.getUTCHours(), now.getUTCMinutes(), now.getUTCSeconds(), now.getUTCMilliseconds()];
  if (p.time) {
    const [h, mi, s] = p.time;
    if (h! > 23 || mi! > 59 || s! > 59) return undefined;
    time = [h!, mi!, s!, 0];
  } else if (p.date || p.day) time = [0, 0, 0, 0];
  const at = new Date(Date.UTC(y, mo - 1, d, time[0], time[1], time[2], time[3]));
  // get_date: a day of the week moves the date only when no calendar date was given.
  if (p.day && !p.date) {
    const wd = at.getUTCDay();
    const { ordinal, weekday } = p.day;
    at.setUTCDate(at.getUTCDate() + ((weekday - wd + 7) % 7) + 7 * (ordinal - (ordinal > 0 && wd !== weekday ? 1 : 0)));
  }
  if (p.months !== 0) at.setUTCMonth(at.getUTCMonth() + p.months);
  if (p.days !== 0) at.setUTCDate(at.getUTCDate() + p.days);
  const result = new Date(at.getTime() + p.seconds * 1000);
  return Number.isNaN(result.getTime()) ? undefined : result;
}
