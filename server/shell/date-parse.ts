// The date strings GNU `date -d` reads that SREs type: `@EPOCH`, ISO 8601, the layouts date
// and openssl print (`Mon Jun  3 09:00:00 UTC 2024`, `Jun  3 05:42:18 2025 GMT`), now/today/
// yesterday/tomorrow, and relative items (`1 hour ago`, `+2 days`, `2024-01-01 +1 day`).
// Everything is UTC, as on our hosts. Anything else is an invalid date, as parse-datetime.y
// would say for what it cannot read.

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const UNIT_MS: Record<string, number> = {
  sec: 1000, second: 1000, min: 60_000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000, fortnight: 14 * 86_400_000,
};

const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[t ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?/;
const TEXT = /^(?:(?:sun|mon|tue|wed|thu|fri|sat)[a-z]*,?\s+)?([a-z]{3})[a-z]*\s+(\d{1,2})(?:,?\s+(\d{4}))?(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?/;
const ZONE = /^\s*(?:z|utc|gmt|[+-]00:?00)(?![a-z])/;
const YEAR = /^\s+(\d{4})(?!\d)/;
const RELATIVE = /^\s*([+-]?\s*\d+)?\s*(sec|second|min|minute|hour|day|week|fortnight|month|year)s?\b(\s+ago)?/;

function addMonths(date: Date, months: number): Date {
  const d = new Date(date.getTime());
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}

/** The instant a `date -d` string names, or undefined when GNU date would call it invalid. */
export function parseDate(text: string, now: Date): Date | undefined {
  const input = text.trim().toLowerCase();
  const epoch = /^@(-?\d+(?:\.\d+)?)$/.exec(input);
  if (epoch) return new Date(Number(epoch[1]) * 1000);
  let rest = input;
  let at = new Date(now.getTime());
  const iso = ISO.exec(rest);
  const textual = iso ? undefined : TEXT.exec(rest);
  if (iso) {
    at = new Date(Date.UTC(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3]), Number(iso[4] ?? 0), Number(iso[5] ?? 0), Number(iso[6] ?? 0)));
    rest = rest.slice(iso[0].length);
  } else if (textual && MONTHS.includes(textual[1]!)) {
    rest = rest.slice(textual[0].length);
    let year = textual[3];
    const zone = ZONE.exec(rest);
    if (zone) rest = rest.slice(zone[0].length);
    const trailing = year === undefined ? YEAR.exec(rest) : null;
    if (trailing) {
      year = trailing[1];
      rest = rest.slice(trailing[0].length);
    }
    at = new Date(Date.UTC(Number(year ?? now.getUTCFullYear()), MONTHS.indexOf(textual[1]!), Number(textual[2]), Number(textual[4] ?? 0), Number(textual[5] ?? 0), Number(textual[6] ?? 0)));
  } else {
    const word = /^(now|today|yesterday|tomorrow)\b/.exec(rest);
    if (word) {
      rest = rest.slice(word[0].length);
      if (word[1] === 'yesterday') at = new Date(at.getTime() - 86_400_000);
      if (word[1] === 'tomorrow') at = new Date(at.getTime() + 86_400_000);
    }
  }
  const zone = ZONE.exec(rest);
  if (zone) rest = rest.slice(zone[0].length);
  for (let item = RELATIVE.exec(rest); item && item[0].trim() !== ''; item = RELATIVE.exec(rest)) {
    rest = rest.slice(item[0].length);
    const count = Number((item[1] ?? '1').replace(/\s+/g, '')) * (item[3] ? -1 : 1);
    const unit = item[2]!;
    at = unit === 'month' ? addMonths(at, count) : unit === 'year' ? addMonths(at, 12 * count) : new Date(at.getTime() + count * UNIT_MS[unit]!);
  }
  if (rest.trim() !== '' || Number.isNaN(at.getTime())) return undefined;
  return at;
}
