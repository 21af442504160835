// Status pills and cards: the small shared pieces of every list.
import { h, type Child } from './dom';

/** A status pill: `kind` picks the colour (available, maintenance, cancelled, mine, busy...). */
export function badge(text: string, kind: string = text): HTMLSpanElement {
  return h('span', { class: `badge badge-${kind.replace(/[^a-z_-]/gi, '')}`, text });
}

/** "pending_approval" -> "pending approval". */
export function statusText(status: string): string {
  return status.replace(/_/g, ' ');
}

/** A card with a heading row (title + badges) and a body. */
export function card(
  props: { tag?: 'li' | 'section' | 'article'; class?: string; dataset?: Record<string, string>; label?: string },
  title: HTMLElement,
  badges: Child,
  ...body: Child[]
): HTMLElement {
  return h(props.tag ?? 'li', { class: `card ${props.class ?? ''}`.trim(), dataset: props.dataset, 'aria-label': props.label },
    h('div', { class: 'card-head' }, title, h('span', { class: 'badges' }, badges)),
    ...body);
}

/** A definition list of [term, value] rows; empty values are left out. */
export function meta(rows: ReadonlyArray<readonly [string, string | number | null | undefined | false]>): HTMLDListElement {
  return h('dl', { class: 'meta' },
    rows.filter(([, value]) => value !== null && value !== undefined && value !== false && value !== '')
      .map(([term, value]) => [h('dt', { text: term }), h('dd', { text: String(value as string | number) })]));
}
