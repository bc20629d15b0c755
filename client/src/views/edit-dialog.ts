// `kubectl edit` and `vi FILE` in the browser: a modal textarea with the object's YAML or the
// file's text. Save hands the text back (the terminal runs the edit's save command with it);
// Cancel changes nothing.
import type { EditRequest } from '../terminal/player-terminal.js';
import { h } from './dom.js';

export function editDialog(edit: EditRequest): Promise<string | undefined> {
  return new Promise((resolve) => {
    const applies = edit.save.startsWith('kubectl ');
    const area = h('textarea', { class: 'yaml', spellcheck: false, 'aria-label': applies ? 'YAML to apply' : 'File text', 'data-testid': 'edit-yaml' });
    area.value = edit.text;
    const dialog = h('dialog', { class: 'edit-dialog' });
    const close = (result: string | undefined) => {
      dialog.close();
      dialog.remove();
      resolve(result);
    };
    const form = h('form', { method: 'dialog', onsubmit: (e: Event) => (e.preventDefault(), close(area.value)) },
      h('h2', {}, `Editing ${edit.title}`),
      area,
      h('p', { class: 'muted' }, `${applies ? 'Save applies the YAML, as kubectl edit does.' : 'Save writes the file.'} Ctrl-Enter saves, Esc cancels.`),
      h('div', { class: 'row end' },
        h('button', { type: 'button', onclick: () => close(undefined) }, 'Cancel'),
        h('button', { type: 'submit', class: 'primary' }, applies ? 'Save and apply' : 'Save')));
    area.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) close(area.value);
    });
    dialog.addEventListener('cancel', (e) => (e.preventDefault(), close(undefined)));
    dialog.append(form);
    document.body.append(dialog);
    dialog.showModal();
    area.focus();
  });
}
