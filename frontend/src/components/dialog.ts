// Modal dialogs (native <dialog>: focus trap and Escape to close) and the toast region.
import { h, uid, type Child } from './dom';

/**
 * A modal <dialog>. Focus returns to the element that opened it. Returns the dialog;
 * `dialog.close()` removes it.
 */
export function openDialog(title: string, ...content: Child[]): HTMLDialogElement {
  const opener = document.activeElement;
  const titleId = uid('dlg');
  const dialog: HTMLDialogElement = h(
    'dialog',
    { class: 'dialog', 'aria-labelledby': titleId },
    h('div', { class: 'dialog-head' },
      h('h2', { id: titleId, text: title }),
      h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Close', text: '×', onclick: () => dialog.close() })),
    h('div', { class: 'dialog-body' }, ...content),
  );
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

let toastTimer: ReturnType<typeof setTimeout> | undefined;

/** A short confirmation in the polite live region. */
export function toast(message: string): void {
  const region = document.getElementById('toast');
  if (!region) return;
  region.textContent = message;
  region.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { region.hidden = true; region.textContent = ''; }, 4000);
}
