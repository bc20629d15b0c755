// Invite: the join link and code in a dialog. The Copy button uses the clipboard API where
// the page may (HTTPS, localhost) and otherwise selects the link and asks for Ctrl+C, so
// inviting works on a plain-HTTP server too.
import { h } from './dom.js';

/** `cohost`: a co-host invite's secret; the link then opens one host seat (the secret rides in the fragment, which no server log sees). */
export function inviteDialog(code: string, cohost?: string): void {
  const link = `${location.origin}/r/${code}${cohost ? `#cohost=${cohost}` : ''}`;
  const field = h('input', { id: 'invite-link', readonly: true, value: link, 'data-testid': 'invite-link' });
  const status = h('p', { class: 'muted small', role: 'status', 'data-testid': 'invite-status' });
  const dialog = h('dialog', { class: 'edit-dialog invite-dialog', 'aria-labelledby': 'invite-h' });
  const close = () => (dialog.close(), dialog.remove());
  const copy = async () => {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(link);
      status.textContent = 'Link copied.';
    } catch {
      field.focus();
      field.select();
      status.textContent = 'Selected: press Ctrl+C (⌘C on a Mac) to copy.';
    }
  };
  dialog.append(
    h('h2', { id: 'invite-h' }, cohost ? 'Invite a co-host' : 'Invite to the room'),
    h('label', { for: 'invite-link' }, cohost ? 'Co-host link' : 'Join link'), field,
    cohost
      ? h('p', {}, 'Whoever opens this link first gets the host console, with their own notes. Make one link per co-host; do not send it to the candidate.')
      : h('p', {}, 'Or join from the lobby with the code ', h('strong', { class: 'code-input', 'data-testid': 'invite-code' }, code), '.'),
    status,
    h('div', { class: 'row end' },
      h('button', { type: 'button', onclick: close }, 'Close'),
      h('button', { type: 'button', class: 'primary', onclick: () => void copy() }, 'Copy link')));
  dialog.addEventListener('cancel', (e) => (e.preventDefault(), close()));
  document.body.append(dialog);
  dialog.showModal();
  field.select();
}
