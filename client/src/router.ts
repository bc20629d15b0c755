// URL routes, so a reload lands on the same screen: / (lobby), /r/CODE (play or watch),
// /host/ROOMID (host console), /replay/ROOMID, /report/ROOMID, /leaderboard/SCENARIO.
export type Route =
  | { name: 'home' }
  | { name: 'room'; code: string }
  | { name: 'host'; roomId: string }
  | { name: 'replay'; roomId: string }
  | { name: 'report'; roomId: string }
  | { name: 'leaderboard'; scenarioId: string }
  | { name: 'not-found' };

export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const [head, arg] = parts;
  if (parts.length === 0) return { name: 'home' };
  if (parts.length === 2 && arg) {
    if (head === 'r') return { name: 'room', code: arg.toUpperCase() };
    if (head === 'host') return { name: 'host', roomId: arg };
    if (head === 'replay') return { name: 'replay', roomId: arg };
    if (head === 'report') return { name: 'report', roomId: arg };
    if (head === 'leaderboard') return { name: 'leaderboard', scenarioId: arg };
  }
  return { name: 'not-found' };
}

type Listener = () => void;
let listener: Listener | undefined;

export function onNavigate(fn: Listener): void {
  listener = fn;
  window.addEventListener('popstate', fn);
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  listener?.();
}
