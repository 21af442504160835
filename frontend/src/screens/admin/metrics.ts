// Admin: metrics (the same counters CloudWatch gets, docs/observability.md) over a window,
// and each worker queue's depth and dead letters. Refreshed on demand, never polled.
import * as metrics from '../../api/metrics';
import { meta } from '../../components/badge';
import { button, clear, field, h, select } from '../../components/dom';
import { errorBox, guarded } from '../../components/errors';
import { formatInstant } from '../../lib/time';
import type { Session } from '../../state';

const WINDOWS = [['15', 'Last 15 minutes'], ['60', 'Last hour'], ['360', 'Last 6 hours'], ['1440', 'Last 24 hours']] as const;

export function render(session: Session): HTMLElement {
  const box = errorBox();
  const windowSelect = select('minutes', WINDOWS, '60');
  const output = h('div', { class: 'metrics-summary', 'aria-live': 'polite' });
  const load = (): Promise<void> => guarded(box, async () => {
    const answer = await metrics.summary(session.api, Number(windowSelect.value));
    clear(output).append(...view(answer));
  }).then(() => undefined);
  windowSelect.addEventListener('change', () => void load());
  void load();
  return h('div', { class: 'admin-metrics' },
    h('div', { class: 'toolbar' }, field('Window', windowSelect), button('Refresh', () => void load())),
    box,
    output);
}

function view(s: metrics.MetricsSummary): HTMLElement[] {
  return [
    h('p', { text: `From ${formatInstant(s.first_minute)} to ${formatInstant(s.last_minute)} (whole minutes).` }),
    meta([
      ['Requests', s.requests],
      ['Bookings', s.bookings],
      ['Booking conflicts', s.conflicts],
      ['Denials', s.denials],
      ['Waitlist offers', s.offers],
      ['Approval decisions', s.approvals],
      ['Webhook delivery attempts', s.webhook_deliveries],
      ['Dead letters (all queues)', s.dead_letters],
    ]),
    splitTable('Denials by rule', 'Rule', s.denials_by_rule),
    splitTable('Approval decisions', 'Decision', s.approvals_by_decision),
    splitTable('Webhook delivery attempts', 'Outcome', s.webhook_deliveries_by_outcome),
    queueTable(s.queues),
  ];
}

function splitTable(caption: string, label: string, counts: Record<string, number>): HTMLElement {
  const rows = Object.entries(counts).sort(([, a], [, b]) => b - a);
  if (rows.length === 0) return h('p', { text: `${caption}: none in this window.` });
  return h('table', { class: 'data' },
    h('caption', { text: caption }),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: label }), h('th', { scope: 'col', text: 'Count' }))),
    h('tbody', {}, rows.map(([name, count]) => h('tr', {}, h('td', { text: name }), h('td', { text: count })))));
}

function queueTable(queues: metrics.QueueDepth[]): HTMLElement {
  return h('table', { class: 'data' },
    h('caption', { text: 'Worker queues' }),
    h('thead', {}, h('tr', {}, ['Queue', 'Waiting', 'In flight', 'Dead letters'].map((text) => h('th', { scope: 'col', text })))),
    h('tbody', {}, queues.map((q) => h('tr', { dataset: { queue: q.queue } },
      h('td', { text: q.queue }), h('td', { text: q.depth }), h('td', { text: q.in_flight }),
      h('td', { text: q.dead_letters })))));
}
