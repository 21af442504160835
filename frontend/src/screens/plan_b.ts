// Explained denials, the what-if line and Plan B in the booking dialog (issue 13).
import * as whatIf from '../api/what_if';
import { h } from '../components/dom';
import { formatRange } from '../lib/time';
import type { Session } from '../state';

const KIND_LABEL: Record<whatIf.Alternative['kind'], string> = {
  earlier: 'Earlier',
  later: 'Later',
  other_resource: 'Other resource',
};

/** Every failed rule, in words with the numbers. */
export function violationList(violations: whatIf.Violation[], label = 'Rules this booking breaks'): HTMLElement | null {
  if (!violations.length) return null;
  return h('ul', { class: 'violations', 'aria-label': label },
    violations.map((v) => h('li', { text: v.message ?? v.code ?? 'a rule' })));
}

/** Plan B: one button per alternative; `book` sends its request as it is. */
export function alternativesList(alternatives: whatIf.Alternative[], book: (a: whatIf.Alternative) => Promise<void>): HTMLElement | null {
  if (!alternatives.length) return null;
  return h('section', { class: 'plan-b', 'aria-label': 'Alternatives' },
    h('h3', { text: 'Plan B' }),
    h('ul', {}, alternatives.map((a) => h('li', {},
      h('span', { text: `${KIND_LABEL[a.kind] ?? a.kind}: ${a.resource_name}, ${formatRange(a.start_time, a.end_time)} ` }),
      h('button', {
        type: 'button',
        class: 'button',
        text: 'Book this',
        'aria-label': `Book ${a.resource_name} ${formatRange(a.start_time, a.end_time)}`,
        onclick: () => void book(a),
      })))));
}

/** The what-if result, refreshed (debounced) while the form changes; a newer answer wins. */
export function whatIfLine(session: Session, read: () => whatIf.CheckBody | null): { element: HTMLElement; refresh(): void } {
  const element = h('div', { class: 'what-if', 'aria-live': 'polite' });
  let timer: number | undefined;
  let generation = 0;
  async function run(): Promise<void> {
    const body = read();
    const mine = ++generation;
    if (!body) { element.replaceChildren(); return; }
    try {
      const result = await whatIf.check(session.api, body);
      if (mine !== generation) return;
      const head = result.ok
        ? h('p', { class: 'hint', text: result.requires_approval ? 'Free: it will wait for approval.' : 'Free: this can be booked.' })
        : h('p', { class: 'notice', text: 'This would be refused:' });
      const conflicts = result.conflicts.length ? h('p', { class: 'hint', text: `Overlaps ${result.conflicts.length} reservation(s).` }) : null;
      const quota = result.quota.map((q) => h('p', { class: 'hint', text: `${String(q.rule_name)}: ${String(q.summary)}` }));
      element.replaceChildren(head, ...[violationList(result.violations as whatIf.Violation[], 'Rules this booking would break'), conflicts, ...quota].filter((n): n is HTMLElement => n !== null));
    } catch {
      if (mine === generation) element.replaceChildren(); // the submit shows real errors
    }
  }
  return {
    element,
    refresh(): void {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => void run(), 400);
    },
  };
}
