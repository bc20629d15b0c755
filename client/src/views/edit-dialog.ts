// `kubectl edit` in the browser: a modal textarea with the object's YAML. Save applies it
// (the terminal runs `kubectl apply` with the text); Cancel changes nothing.
import type { EditRequest } from '../terminal/player-terminal.js';
import { h } from './dom.js';

export function editDialog(edit: EditRequest): Promise<string | undefined> {
  return new Promise((resolve) => {
    const area = h('textarea', { class: 'yaml', spellcheck: false, 'aria-label': 'YAML to apply', 'data-testid': 'edit-yaml' });
    area.value = edit.yaml;
    const dialog = h('dialog', { class: 'edit-dialog' });
    const close = (result: string | undefined) => {
      dialog.close();
      dialog.remove();
      resolve(result);
    };
    const form = h('form', { method: 'dialog', onsubmit: (e: Event) => (e.preventDefault(), close(area.value)) },
      h('h2', {}, `Editing ${edit.resource}/${edit.name}${edit.namespace ? ` -n ${edit.namespace}` : ''}`),
      area,
      h('p', { class: 'muted' }, 'Save applies the YAML with kubectl apply. Ctrl-Enter saves, Esc cancels.'),
      h('div', { class: 'row end' },
        h('button', { type: 'button', onclick: () => close(undefined) }, 'Cancel'),
        h('button', { type: 'submit', class: 'primary' }, 'Save and apply')));
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
