// Admin > Audit log: the statistics panel (counts by action, actor, entity type and day over
// UTC days, at most 92) and the filter suggestions the log's filters offer, both read from
// counters the server keeps when entries are written (docs/audit-statistics.md).
import * as audit from '../../api/audit';
import { clear, field, h } from '../../components/dom';
import { errorBox, guarded } from '../../components/errors';
import type { Session } from '../../state';

const DAY = 86_400_000;

/** "YYYY-MM-DD" of a UTC day `days` before today. */
function utcDay(daysAgo: number, now: Date = new Date()): string {
  return new Date(now.getTime() - daysAgo * DAY).toISOString().slice(0, 10);
}

export function statsPanel(session: Session): HTMLElement {
  const from = h('input', { type: 'date', name: 'stats_from', value: utcDay(29), required: true });
  const to = h('input', { type: 'date', name: 'stats_to', value: utcDay(0), required: true });
  const box = errorBox();
  const output = h('div', { class: 'audit-stats-output', 'aria-live': 'polite' });
  const load = (): Promise<void> => guarded(box, async () => {
    const stats = await audit.statistics(session.api, { from: from.value || undefined, to: to.value || undefined });
    clear(output).append(...view(stats));
  }).then(() => undefined);
  const form = h('form', { class: 'filters', 'aria-label': 'Audit statistics range' },
    field('From (UTC day)', from), field('To (UTC day)', to),
    h('button', { type: 'submit', class: 'button', text: 'Show statistics' }));
  form.addEventListener('submit', (event) => { event.preventDefault(); void load(); });
  void load();
  return h('section', { class: 'audit-stats stack', 'aria-labelledby': 'audit-stats-title' },
    h('h3', { id: 'audit-stats-title', text: 'Statistics' }),
    h('p', { class: 'hint', text: 'Entries written per whole UTC day; a range covers at most 92 days.' }),
    form, box, output);
}

function view(stats: audit.AuditStats): HTMLElement[] {
  const parts: HTMLElement[] = [
    h('p', { class: 'audit-stats-total', text: `${stats.total} entries from ${stats.from} to ${stats.to}.` }),
    h('div', { class: 'audit-stats-tables' },
      countTable('By action', 'Action', stats.by_action),
      countTable('By actor', 'Actor', stats.by_actor),
      countTable('By entity type', 'Entity type', stats.by_entity_type),
      countTable('By day', 'Day', stats.by_day)),
  ];
  if (!stats.complete) parts.push(h('p', { class: 'hint', text: 'A very busy range: some counters were not read. Narrow the range.' }));
  return parts;
}

function countTable(caption: string, label: string, rows: audit.AuditStats['by_action']): HTMLElement {
  if (rows.length === 0) return h('p', { text: `${caption}: none.` });
  return h('table', { class: 'data' },
    h('caption', { text: caption }),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: label }), h('th', { scope: 'col', text: 'Entries' }))),
    h('tbody', {}, rows.map((row) => h('tr', {}, h('td', { text: row.value }), h('td', { text: row.count })))));
}

/**
 * Fill the filter inputs' suggestion lists (datalists) with the values seen in the log:
 * any name can still be typed. A failure leaves the lists empty (the filters still work).
 */
export async function fillSuggestions(
  session: Session,
  lists: { actions: HTMLDataListElement; entityTypes: HTMLDataListElement; actors: HTMLDataListElement },
): Promise<void> {
  let values: audit.AuditFilterValues;
  try {
    values = await audit.filterValues(session.api);
  } catch {
    return;
  }
  const fill = (list: HTMLDataListElement, seen: audit.AuditFilterValues['actions']): void => {
    clear(list).append(...seen.map((v) => h('option', { value: v.value, label: `${v.value} (${v.count})` })));
  };
  fill(lists.actions, values.actions);
  fill(lists.entityTypes, values.entity_types);
  fill(lists.actors, values.actors);
}
