// DOM helpers shared by every screen.
//
// Data that comes from the API (names, notes, messages...) is only ever inserted as text nodes,
// textContent or attribute values, NEVER through innerHTML: that is the XSS defence the token
// handling in api.js relies on (see the comment there).

import { formatRange } from './time.js';

let counter = 0;

/** A unique element id, for label/for and aria-* references. */
export function uid(prefix = 'id') {
  counter += 1;
  return `${prefix}-${counter}`;
}

/**
 * Create an element. props: `class`, `text`, `dataset`, `on<event>` handlers, DOM properties
 * given as non-strings (checked, disabled, hidden...), anything else becomes an attribute.
 */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = String(value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') {
      node.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (typeof value !== 'string' && key in node) node[key] = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

/** A labelled form control; `hint` is linked with aria-describedby. */
export function field(labelText, input, hint) {
  if (!input.id) input.id = uid('f');
  const wrapper = h('div', { class: 'field' }, h('label', { for: input.id, text: labelText }), input);
  if (hint) {
    const hintNode = typeof hint === 'string' ? h('p', { class: 'hint', text: hint }) : hint;
    if (!hintNode.id) hintNode.id = uid('hint');
    input.setAttribute('aria-describedby', hintNode.id);
    wrapper.append(hintNode);
  }
  return wrapper;
}

/** A form named by its own heading (role "form" with an accessible name; unique ids). */
export function titledForm(headingTag, title, ...children) {
  const id = uid('form-title');
  return h('form', { class: 'stack', 'aria-labelledby': id }, h(headingTag, { id, text: title }), ...children);
}

/** A checkbox with its label after it. */
export function checkbox(labelText, input) {
  if (!input.id) input.id = uid('c');
  return h('div', { class: 'field checkbox' }, input, h('label', { for: input.id, text: labelText }));
}

// ---- errors ---------------------------------------------------------------------------------

/** An always-present live region where errors appear (role="alert" announces them). */
export function errorBox() {
  return h('div', { class: 'error-box', role: 'alert', hidden: true });
}

export function clearError(box) {
  clear(box).hidden = true;
}

/** Show an ApiError (message + code, plus conflicts or field errors) or any Error in `box`. */
export function showError(box, error) {
  clear(box);
  const code = error?.code ? ` (${error.code})` : '';
  box.append(h('p', { class: 'error-message' }, h('strong', { text: error?.message || String(error) }), code));
  const details = error?.details;
  if (details && Array.isArray(details.occurrences) && details.occurrences.length) {
    box.append(
      h('p', { text: 'These occurrences of the series cannot be booked:' }),
      h('ul', { class: 'occurrences' }, details.occurrences.map(occurrenceItem)),
    );
  } else if (details && Array.isArray(details.conflicts) && details.conflicts.length) {
    box.append(
      h('p', { text: 'The slot overlaps with:' }),
      h('ul', { class: 'conflicts' }, details.conflicts.map(conflictItem)),
    );
  } else if (Array.isArray(details) && details.length) {
    box.append(h('ul', {}, details.map(detailItem)));
  } else if (details && Array.isArray(details.errors)) {
    box.append(h('ul', {}, details.errors.map(detailItem)));
  }
  box.hidden = false;
}

function conflictItem(conflict) {
  return h('li', { text: conflictText(conflict) });
}

/** One failing occurrence of a series: taken (with what it overlaps) or against a rule. */
function occurrenceItem(occurrence) {
  const number = Number.isInteger(occurrence.occurrence) ? `#${occurrence.occurrence + 1} ` : '';
  const window = number + formatRange(occurrence.start_time, occurrence.end_time);
  if (Array.isArray(occurrence.conflicts) && occurrence.conflicts.length) {
    return h('li', { text: `${window}: overlaps ${occurrence.conflicts.map(conflictText).join(', ')}` });
  }
  const why = occurrence.message ? `: ${occurrence.message}` : '';
  return h('li', { text: window + why + (occurrence.code ? ` (${occurrence.code})` : '') });
}

function conflictText(conflict) {
  const own = conflict.reservation_id ? ` (your reservation ${conflict.reservation_id})` : '';
  return formatRange(conflict.start_time, conflict.end_time) + own;
}

function detailItem(item) {
  if (item && typeof item === 'object') {
    const column = item.field ? ` (${item.field})` : '';
    const where = item.row ? `row ${item.row}${column}` : item.field || '';
    const what = item.message || item.msg || item.errors?.join?.('; ') || JSON.stringify(item);
    return h('li', { text: where ? `${where}: ${what}` : what });
  }
  return h('li', { text: String(item) });
}

// ---- forms ----------------------------------------------------------------------------------

/**
 * Run `handler(formData)` on submit: default prevented, submit buttons disabled while it runs,
 * any error shown in `box`.
 */
export function onSubmit(form, box, handler) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearError(box);
    const buttons = [...form.querySelectorAll('button[type="submit"]')];
    buttons.forEach((button) => { button.disabled = true; });
    form.setAttribute('aria-busy', 'true');
    try {
      await handler(new FormData(form), event);
    } catch (error) {
      showError(box, error);
      if (!(error && error.status !== undefined)) console.error(error);
    } finally {
      buttons.forEach((button) => { button.disabled = false; });
      form.removeAttribute('aria-busy');
    }
  });
  return form;
}

/** Run an async action from a button, showing errors in `box`. */
export async function guarded(box, action) {
  clearError(box);
  try {
    return await action();
  } catch (error) {
    showError(box, error);
    return undefined;
  }
}

// ---- dialogs and toasts ---------------------------------------------------------------------

/**
 * A modal <dialog> (native: focus trap and Escape to close). Focus returns to the element that
 * opened it. Returns the dialog; `dialog.close()` removes it.
 */
export function openDialog(title, ...content) {
  const opener = document.activeElement;
  const titleId = uid('dlg');
  const dialog = h(
    'dialog',
    { class: 'dialog', 'aria-labelledby': titleId },
    h(
      'div',
      { class: 'dialog-head' },
      h('h2', { id: titleId, text: title }),
      h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Close', text: '×', onclick: () => dialog.close() }),
    ),
    h('div', { class: 'dialog-body' }, ...content),
  );
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (opener && opener.isConnected && typeof opener.focus === 'function') opener.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

let toastTimer = null;

/** A short confirmation in the polite live region. */
export function toast(message) {
  const region = document.getElementById('toast');
  if (!region) return;
  region.textContent = message;
  region.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { region.hidden = true; region.textContent = ''; }, 4000);
}

/** A status pill: `kind` picks the colour (available, maintenance, cancelled...). */
export function badge(text, kind = text) {
  return h('span', { class: `badge badge-${String(kind).replace(/[^a-z_-]/gi, '')}`, text });
}

/** Buttons for `Load more`-style pagination. */
export function button(text, onclick, props = {}) {
  return h('button', { type: 'button', class: 'button', ...props, onclick }, text);
}
