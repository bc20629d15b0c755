// Entry point: route the URL to a screen; every navigation unmounts the previous screen.
import './zod-config.js'; // first: before any module builds or runs a schema
import './styles/app.css';
import { onNavigate, parseRoute } from './router.js';
import { homeView } from './views/home.js';
import { leaderboardRoute } from './views/leaderboard.js';
import { replayRoute } from './views/replay.js';
import { reportRoute } from './views/report.js';
import { hostRoute, messageView, roomRoute } from './views/room.js';

const root = document.getElementById('app')!;
let cleanup: (() => void) | void;

function render(): void {
  cleanup?.();
  cleanup = undefined;
  // A new screen starts empty: `fill` would otherwise carry the old screen's focus over to
  // whatever control of the new one looks alike or sits at the same place.
  root.replaceChildren();
  const route = parseRoute(location.pathname);
  document.body.dataset.route = route.name;
  switch (route.name) {
    case 'home':
      return homeView(root);
    case 'room':
      cleanup = roomRoute(root, route.code);
      return;
    case 'host':
      cleanup = hostRoute(root, route.roomId);
      return;
    case 'replay':
      cleanup = replayRoute(root, route.roomId);
      return;
    case 'report':
      return reportRoute(root, route.roomId);
    case 'leaderboard':
      return leaderboardRoute(root, route.scenarioId);
    case 'not-found':
      return messageView(root, 'Not found', `Nothing lives at ${location.pathname}.`);
  }
}

// Same-origin links navigate inside the app (no reload), so open sockets close cleanly.
document.addEventListener('click', (event) => {
  const link = (event.target as Element).closest?.('a[href^="/"]');
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  history.pushState(null, '', link.getAttribute('href')!);
  render();
});

onNavigate(render);
render();
