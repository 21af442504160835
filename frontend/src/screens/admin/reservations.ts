// Admin > Reservation search: everyone's reservations by user, resource, location (a group
// and its whole subtree), status and time, in cursor pages (GET /search/reservations, issue 14;
// docs/reservation-search.md). Users search their own on My reservations.
import * as search from '../../api/reservation_search';
import type { Reservation } from '../../api/reservations';
import { badge, statusText } from '../../components/badge';
import { field, h, select } from '../../components/dom';
import { clearError, errorBox, showError } from '../../components/errors';
import { pagedTable } from '../../components/paged-list';
import { formatRange, localInputToIso } from '../../lib/time';
import type { Session } from '../../state';
import { locationSelect } from '../location-select';

const STATUSES = ['', 'active', 'pending_approval', 'held', 'checked_in', 'completed', 'cancelled', 'rejected', 'expired', 'no_show'] as const;
const COLUMNS = ['When', 'Resource', 'User', 'Status', 'Id'];
type Query = Omit<search.SearchQuery, 'limit' | 'cursor'>;

export function render(session: Session): HTMLElement {
  const user = h('input', { type: 'text', name: 'user_id', maxlength: '64', autocomplete: 'off' });
  const resource = h('input', { type: 'text', name: 'resource_id', maxlength: '64', autocomplete: 'off' });
  const group = locationSelect(session);
  const status = select('status', STATUSES.map((value) => [value, value ? statusText(value) : 'Any status'] as const));
  const from = h('input', { type: 'datetime-local', name: 'from' });
  const to = h('input', { type: 'datetime-local', name: 'to' });
  const box = errorBox();
  let query: Query = {};
  const table = pagedTable<Reservation>(COLUMNS, {
    label: 'Reservations found',
    emptyText: 'No reservations match.',
    pageSize: 25,
    fetchPage: (cursor, limit) => search.search(session.api, { ...query, limit, cursor }),
    renderItem: row,
  });
  const read = (): Query => {
    const out: Query = {};
    if (user.value.trim()) out.user_id = user.value.trim();
    if (resource.value.trim()) out.resource_id = resource.value.trim();
    if (group.value) out.group_id = group.value;
    if (status.value) out.status = [status.value as Reservation['status']];
    if (from.value) out.from = localInputToIso(from.value);
    if (to.value) out.to = localInputToIso(to.value);
    if (out.from && out.to && new Date(out.to) <= new Date(out.from)) throw new Error("'To' must be after 'from'.");
    return out;
  };
  const form = h('form', { class: 'filters', 'aria-label': 'Search reservations' },
    field('User id', user), field('Resource id', resource), field('Location', group, 'Includes everything under it.'),
    field('Status', status), field('From', from), field('To', to),
    h('button', { type: 'submit', class: 'button primary', text: 'Search' }),
    h('button', { type: 'button', class: 'button', text: 'Clear', onclick: () => { form.reset(); apply(); } }));
  function apply(): void {
    clearError(box);
    try {
      query = read();
    } catch (error) {
      showError(box, error);
      return;
    }
    void table.reload();
  }
  form.addEventListener('submit', (event) => { event.preventDefault(); apply(); });
  return h('div', { class: 'admin-reservations stack' },
    h('p', { class: 'hint', text: 'Every status by default, from 30 days ago for a year (at most 366 days).' }),
    form, box, table.element);
}

function row(r: Reservation): HTMLTableRowElement {
  return h('tr', { dataset: { reservationId: r.reservation_id } },
    h('td', { text: formatRange(r.start_time, r.end_time) }),
    h('td', { text: r.resource_name ?? r.resource_id }),
    h('td', { text: r.user_id }),
    h('td', {}, badge(statusText(r.status), r.status)),
    h('td', { text: r.reservation_id }));
}
