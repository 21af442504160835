// A secret the API shows only once (a webhook's signing secret, an OAuth client's secret):
// a dialog with the value in a read-only field, a copy button and the warning in words.
import { openDialog } from './dialog';
import { field, h } from './dom';

export function showSecretOnce(title: string, label: string, secret: string, note = ''): HTMLDialogElement {
  const input = h('input', { type: 'text', readonly: true, value: secret, class: 'secret-field', spellcheck: 'false', autocomplete: 'off' });
  const status = h('p', { class: 'hint', role: 'status' });
  const copy = h('button', {
    type: 'button', class: 'button', text: 'Copy',
    onclick: async () => {
      input.select();
      try {
        await navigator.clipboard.writeText(secret);
        status.textContent = 'Copied.';
      } catch {
        status.textContent = 'Select the text and copy it (the browser refused the clipboard).';
      }
    },
  });
  const dialog = openDialog(title,
    h('p', { class: 'warning', text: 'This is shown only now: store it safely. It cannot be read again; rotate it if it is lost.' }),
    note ? h('p', { class: 'hint', text: note }) : null,
    field(label, input),
    status,
    h('div', { class: 'actions' }, copy, h('button', { type: 'button', class: 'button primary', text: 'Done', onclick: () => dialog.close() })));
  input.select();
  return dialog;
}
