// "Are you sure?" as a modal form: the action runs on submit, its error shows in words inside
// the dialog, and the dialog closes only when the action worked. An action may return a
// follow-up (say, the dialog showing a new secret), run once this dialog has closed.
import { openDialog } from './dialog';
import { h } from './dom';
import { errorBox, onSubmit } from './errors';

export function confirmAction(title: string, text: string, actionLabel: string, action: () => Promise<void | (() => void)>, danger = true): HTMLDialogElement {
  const box = errorBox();
  const form = h('form', { class: 'stack', 'aria-label': title },
    h('p', { text }),
    box,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: danger ? 'button danger' : 'button primary', text: actionLabel }),
      h('button', { type: 'button', class: 'button', text: 'Cancel', onclick: () => dialog.close() })));
  onSubmit(form, box, async () => {
    const next = await action();
    dialog.close();
    if (next) next();
  });
  const dialog = openDialog(title, form);
  return dialog;
}
