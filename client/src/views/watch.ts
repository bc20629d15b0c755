// The spectator's screen: the mirrored terminals and the overview, nothing secret (the
// server sends spectators public events only).
import type { ViewerEvent } from '../../../server/protocol/index.js';
import { fill, h } from './dom.js';
import { activityPanel, overviewPanel, prose, roomHeader } from './panels.js';
import type { RoomSession } from './room-session.js';
import { TerminalGrid } from './terminal-grid.js';
import { scenarioInfo } from '../net/scenario-info.js';

export function watchView(root: HTMLElement, session: RoomSession): () => void {
  const { model } = session;
  const header = roomHeader(model, [h('span', { class: 'pill' }, 'Spectating')]);
  const grid = new TerminalGrid(model);
  const overview = overviewPanel(model);
  const activity = activityPanel(model, 'Activity since you joined');
  fill(root, header.el,
    h('div', { class: 'host-layout' },
      h('div', { class: 'host-main' }, grid.el),
      h('aside', { class: 'sidebar' },
        h('section', { class: 'panel briefing' }, h('h2', {}, 'Briefing'), prose(scenarioInfo(model.view.scenario).briefing)),
        overview.el, activity.el)));
  const unsubscribe = session.subscribe((event: ViewerEvent) => {
    header.update();
    if (event.type === 'tick') return;
    if (event.type === 'command') grid.append(event.participantId, event);
    grid.sync();
    overview.update();
    activity.update();
  });
  const unsubscribeOverview = session.subscribeOverview(() => overview.update());
  return () => {
    unsubscribe();
    unsubscribeOverview();
    header.dispose();
    grid.dispose();
  };
}
