// Durations and timestamps as kubectl prints them, from simulated time.
import type { ClusterState, SimTime } from '../../cluster/types.js';

/** apimachinery's duration.HumanDuration: `45s`, `5m12s`, `3h4m`, `2d5h`, `10d`, `3y45d`. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.trunc(hours / 24) % 365;
    const years = Math.trunc(hours / 24 / 365);
    return days === 0 ? `${years}y` : `${years}y${days}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/**
 * The first time after `now` at which humanDuration(time - at) may read differently: its
 * text only depends on whole seconds, at a step that grows with the duration (1 s below
 * 10 minutes, then a minute, an hour, a day, a year), and every change of format falls on
 * a step of the finer format before it.
 */
export function durationChangesAt(now: SimTime, at: SimTime): SimTime {
  const seconds = Math.trunc((now - at) / 1000);
  if (seconds < 0) return now + 1; // only for clocks set in the future: look again next time
  const hours = seconds / 3600;
  const step = seconds < 600 ? 1 : hours < 8 ? 60 : hours < 24 * 8 ? 3600 : hours < 24 * 365 * 8 ? 86_400 : 365 * 86_400;
  return at + (Math.floor(seconds / step) + 1) * step * 1000;
}

/** When `age(state, at)` may read differently next (never for an unset timestamp). */
export function ageChangesAt(state: ClusterState, at: SimTime | undefined): SimTime {
  return at === undefined ? Infinity : durationChangesAt(state.now, at);
}

/** kubectl's translateTimestampSince: the age of a timestamp, `<unknown>` when unset. */
export function age(state: ClusterState, at: SimTime | undefined): string {
  if (at === undefined) return '<unknown>';
  return humanDuration(state.now - at);
}

/** RFC3339 in UTC without fractions, as in `-o yaml`: `2024-05-01T10:00:00Z`. */
export function rfc3339(state: ClusterState, at: SimTime): string {
  return new Date(state.epoch + at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** RFC1123Z as `describe` prints it: `Mon, 01 May 2024 10:00:00 +0000`. */
export function rfc1123z(state: ClusterState, at: SimTime): string {
  const d = new Date(state.epoch + at);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()]!;
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]!;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${day}, ${p(d.getUTCDate())} ${month} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}
