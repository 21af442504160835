// The element builder every screen uses.
//
// Data from the API (names, notes, messages...) only ever becomes text nodes, textContent or
// attribute values, NEVER markup (ESLint forbids innerHTML and friends): that is the XSS
// defence the token handling in api/client.ts relies on.

export type Child = Node | string | number | null | undefined | false | readonly Child[];
export type Handler = (event: Event) => unknown;
export interface Props {
  class?: string;
  text?: string | number | null;
  dataset?: Record<string, string>;
  [attribute: string]: unknown;
}

let counter = 0;

/** Text of a prop value: strings and numbers as they are, anything else as JSON. */
function asText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

/** A unique element id, for label/for and aria-* references. */
export function uid(prefix = 'id'): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

/**
 * Create an element. props: `class`, `text`, `dataset`, `on<event>` handlers, DOM properties
 * given as non-strings (checked, disabled, hidden...), anything else becomes an attribute.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = asText(value);
    else if (key === 'text') node.textContent = asText(value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') {
      node.addEventListener(key.slice(2).toLowerCase(), value as Handler);
    } else if (typeof value !== 'string' && key in node) {
      (node as unknown as Record<string, unknown>)[key] = value;
    } else node.setAttribute(key, value === true ? '' : asText(value));
  }
  append(node, children);
  return node;
}

export function append<T extends Node>(node: T, children: readonly Child[]): T {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child as readonly Child[]);
    else node.appendChild(child instanceof Node ? child : document.createTextNode(String(child as string)));
  }
  return node;
}

export function clear<T extends Element>(node: T): T {
  node.replaceChildren();
  return node;
}

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

/** A labelled form control; `hint` is linked with aria-describedby. */
export function field(labelText: string, input: Control, hint?: string | HTMLElement | null): HTMLDivElement {
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
export function titledForm(headingTag: 'h2' | 'h3', title: string, ...children: Child[]): HTMLFormElement {
  const id = uid('form-title');
  return h('form', { class: 'stack', 'aria-labelledby': id }, h(headingTag, { id, text: title }), ...children);
}

/** A checkbox with its label after it. */
export function checkbox(labelText: string, input: HTMLInputElement): HTMLDivElement {
  if (!input.id) input.id = uid('c');
  return h('div', { class: 'field checkbox' }, input, h('label', { for: input.id, text: labelText }));
}

/** A radio button with its label; {input, element}. */
export function radio(name: string, value: string, labelText: string, checked = false): { input: HTMLInputElement; element: HTMLDivElement } {
  const input = h('input', { type: 'radio', name, value, checked, id: uid('r') });
  return { input, element: h('div', { class: 'field checkbox' }, input, h('label', { for: input.id, text: labelText })) };
}

/** A button that runs `onclick`; extra props are attributes. */
export function button(text: string, onclick: Handler, props: Props = {}): HTMLButtonElement {
  return h('button', { type: 'button', class: 'button', ...props, onclick }, text);
}

/** A select of [value, label] pairs. */
export function select(name: string, options: ReadonlyArray<readonly [string, string]>, chosen?: string): HTMLSelectElement {
  return h('select', { name }, options.map(([value, text]) => h('option', { value, text, selected: value === chosen })));
}

type FormControl = Control | HTMLButtonElement;

/**
 * Run `load` with every enabled control of `form` disabled (and the form aria-busy): what a
 * person (or a test) typed before the load finished would otherwise be overwritten by it.
 */
export async function whileLoading<T>(form: HTMLFormElement, load: () => Promise<T>): Promise<T> {
  const controls = [...form.elements].filter((e): e is FormControl => 'disabled' in e && !(e as FormControl).disabled);
  controls.forEach((c) => { c.disabled = true; });
  form.setAttribute('aria-busy', 'true');
  try {
    return await load();
  } finally {
    controls.forEach((c) => { c.disabled = false; });
    form.removeAttribute('aria-busy');
  }
}
