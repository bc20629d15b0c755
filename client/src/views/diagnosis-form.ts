// The diagnosis form: a root cause among the scenario's plausible causes (or "other" with
// free text), a second one in a room with a stacked fault, an explanation, and the evidence
// relied on (offered items + one per line).
import type { ScenarioInfo } from '../net/scenario-info.js';
import { h } from './dom.js';

export interface Diagnosis {
  rootCause: string;
  secondCause?: string;
  text: string;
  evidence: string[];
}

/**
 * `consequence`: what submitting does, said in the confirmation the form asks for first (a
 * diagnosis is final).
 */
export function diagnosisForm(info: ScenarioInfo, consequence: string, submit: (d: Diagnosis) => Promise<string | undefined>): HTMLFormElement {
  const error = h('p', { class: 'error', role: 'alert' });
  const other = 'other';
  const causes = info.causes.length ? info.causes : [];
  const causeSelect = h('select', { id: 'diag-cause', name: 'rootCause', required: true },
    h('option', { value: '' }, 'Choose the root cause…'),
    causes.map((c) => h('option', { value: c.id }, c.label)),
    h('option', { value: other }, 'Something else (describe below)'));
  // A stacked room: the other cause, among the same choices.
  const secondSelect = info.causeCount === 2 ? h('select', { id: 'diag-cause-2', name: 'secondCause', required: true },
    h('option', { value: '' }, 'Choose the other root cause…'),
    causes.map((c) => h('option', { value: c.id }, c.label))) : undefined;
  const text = h('textarea', { id: 'diag-text', name: 'text', rows: 4, maxlength: 4000, placeholder: 'What happened, and why? What would you do to fix and prevent it?' });
  const evidenceBoxes = info.evidence.map((e) => h('label', { class: 'check' }, h('input', { type: 'checkbox', value: e.id }), ` ${e.label}`));
  const evidenceText = h('textarea', { id: 'diag-evidence', name: 'evidence', rows: 3, placeholder: 'One observation per line, e.g. "etcdctl alarm list shows NOSPACE"' });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Submit diagnosis');
  const confirmYes = h('button', { type: 'button', class: 'primary' }, 'Yes, submit');
  const confirmNo = h('button', { type: 'button' }, 'Keep investigating');
  const confirmBox = h('div', { class: 'confirm', role: 'alertdialog', 'aria-label': 'confirm the diagnosis', hidden: true, 'data-testid': 'confirm-diagnosis' },
    h('p', {}, `Submit this diagnosis? It is final. ${consequence}`), h('div', { class: 'row' }, confirmYes, confirmNo));
  const form = h('form', { class: 'diagnosis', 'data-testid': 'diagnosis-form' },
    h('label', { for: 'diag-cause' }, secondSelect ? 'Root cause (one of two faults)' : 'Root cause'), causeSelect,
    secondSelect && [h('label', { for: 'diag-cause-2' }, 'The other root cause'), secondSelect],
    h('label', { for: 'diag-text' }, 'Explanation'), text,
    h('fieldset', {}, h('legend', {}, 'Evidence'), evidenceBoxes, evidenceText),
    error, button, confirmBox);
  const asking = (on: boolean) => {
    confirmBox.hidden = !on;
    button.hidden = on;
    (on ? confirmYes : button).focus();
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = causeSelect.value;
    if (!chosen) return void (error.textContent = 'Choose a root cause.');
    if (chosen === other && text.value.trim() === '') return void (error.textContent = 'Describe the root cause in the explanation.');
    if (secondSelect && !secondSelect.value) return void (error.textContent = 'Choose the other root cause: two faults are stacked in this room.');
    if (secondSelect?.value === chosen) return void (error.textContent = 'Name two different root causes.');
    error.textContent = '';
    asking(true);
  });
  confirmNo.addEventListener('click', () => asking(false));
  confirmYes.addEventListener('click', async () => {
    const chosen = causeSelect.value;
    const evidence = [
      ...evidenceBoxes.map((l) => l.querySelector('input')!).filter((i) => i.checked).map((i) => i.value),
      ...evidenceText.value.split('\n').map((s) => s.trim()).filter(Boolean),
    ];
    confirmYes.disabled = true;
    const failed = await submit({
      rootCause: chosen === other ? text.value.trim().slice(0, 200) : chosen,
      ...(secondSelect ? { secondCause: secondSelect.value } : {}),
      text: text.value.trim(),
      evidence: evidence.slice(0, 50),
    });
    confirmYes.disabled = false;
    asking(false);
    if (failed) error.textContent = failed;
  });
  return form;
}
