// My limits (issue 13): each booking quota rule that applies to me, what I have used of it in
// the current period, what remains and when it resets. A meter per rule, with the same
// numbers in words for screen readers.
import * as quotas from '../api/quotas';
import { badge } from '../components/badge';
import { clear, h } from '../components/dom';
import { errorBox, guarded } from '../components/errors';
import { formatInstant } from '../lib/time';
import type { Session } from '../state';

export function render(session: Session): HTMLElement {
  const box = errorBox();
  const list = h('ul', { class: 'rows quota-usage', 'aria-label': 'My booking limits' });
  const reload = async (): Promise<void> => {
    const answer = await guarded(box, () => quotas.myUsage(session.api));
    if (!answer) return;
    clear(list);
    if (!answer.rules.length) list.append(h('li', { class: 'empty', text: 'No booking limits apply to you.' }));
    list.append(...answer.rules.map(usageRow));
  };
  void reload();
  session.events.on('reservations-changed', () => void reload());
  return h('section', { class: 'quotas stack' }, h('h2', { text: 'My booking limits' }), box, list);
}

function usageRow(usage: quotas.Usage): HTMLElement {
  const minutes = usage.unit === 'minutes';
  const used = minutes ? quotas.amount(usage.used, usage.unit) : String(usage.used);
  const limit = quotas.amount(usage.limit, usage.unit);
  const left = minutes ? quotas.amount(usage.remaining, usage.unit) : String(usage.remaining);
  // A rule with a period is listed once per period that counts something (e.g. each day
  // booked ahead), so the period is named on each row.
  const period = usage.period_key ? ` (${usage.period ?? 'period'} of ${usage.period_key})` : '';
  return h('li', { class: 'row-item', dataset: { ruleId: usage.rule_id, periodKey: usage.period_key ?? '' } },
    h('div', { class: 'row-main' },
      h('strong', { text: `${usage.name}${period}` }), ' ',
      usage.exempt ? badge('exempt', 'info') : null,
      usage.limit_source === 'override' ? badge('your own limit', 'info') : null,
      h('meter', { min: '0', max: String(Math.max(usage.limit, 1)), value: String(usage.used), 'aria-label': `${usage.name}${period}: ${used} of ${limit}` }),
      h('p', { text: usage.exempt ? 'This limit does not apply to you.' : `${used} of ${limit} used; ${left} left.` }),
      h('p', { class: 'hint', text: usage.resets_at ? `Resets ${formatInstant(usage.resets_at)}.` : usage.summary })));
}
