// My reservations: list (cursor pages), cancel with a reason, history, reschedule; occurrences
// of a recurring series carry a "series" badge and cancel this one / following / the series.
import * as search from '../api/reservation_search';
import * as reservations from '../api/reservations';
import * as resources from '../api/resources';
import { badge, card, statusText } from '../components/badge';
import { openDialog, toast } from '../components/dialog';
import { field, h, select } from '../components/dom';
import { errorBox, onSubmit, showError } from '../components/errors';
import { pagedList } from '../components/paged-list';
import { formatInstant, formatRange } from '../lib/time';
import type { Session } from '../state';
import { openReschedule } from './booking';
import { addToCalendarButton } from './calendar-feeds';
import { checkInSection } from './check-in';
import { locationSelect } from './location-select';
import { openSeriesCancel, seriesBadge } from './series';

const OCCUPYING = new Set(['active', 'pending_approval', 'held']);
// The API's default listing is "occupying and not ended yet, soonest first".
const VIEWS: Record<string, { label: string; query: () => reservations.MyQuery }> = {
  upcoming: { label: 'Upcoming', query: () => ({}) },
  past: { label: 'Past', query: () => ({ to: new Date().toISOString(), status: ['any'], order: 'desc' }) },
  all: { label: 'All, latest first', query: () => ({ status: ['any'], order: 'desc' }) },
};
const STATUSES = ['', 'active', 'pending_approval', 'held', 'cancelled', 'rejected', 'expired', 'no_show'] as const;

/** My reservations in one location: the search's window stands in for the view's order
 * (upcoming: from now; past: until now; all: the search's default year). */
function searchQuery(query: reservations.MyQuery, groupId: string, view: string): search.SearchQuery {
  const now = new Date().toISOString();
  const out: search.SearchQuery = { limit: query.limit, cursor: query.cursor, group_id: groupId, status: query.status };
  if (view === 'upcoming') {
    out.from = now;
    if (!query.status) out.status = ['active', 'pending_approval', 'held', 'checked_in'];
  }
  if (view === 'past') out.to = now;
  return out;
}

export type NameOf = (reservation: reservations.Reservation) => Promise<string>;

/**
 * Resource names for a list: listings carry `resource_name` (one batch read on the server);
 * a reservation without it (a single read, a deleted resource) is fetched once per resource.
 */
export function nameCache(session: Session): NameOf {
  const nameOf = resources.names(session.api);
  return (reservation) =>
    reservation.resource_name ? Promise.resolve(reservation.resource_name) : nameOf(reservation.resource_id);
}

export function render(session: Session): HTMLElement {
  const view = select('view', Object.entries(VIEWS).map(([value, { label }]) => [value, label] as const));
  const status = select('status', STATUSES.map((value) => [value, value ? statusText(value) : 'Any status'] as const));
  const location = locationSelect(session);
  const nameOf = nameCache(session);
  const listing = pagedList<reservations.Reservation>({
    label: 'My reservations',
    emptyText: 'No reservations here. Reserve something from the Resources tab.',
    listClass: 'cards reservations',
    fetchPage: (cursor, limit) => {
      const query: reservations.MyQuery = { limit, cursor, ...VIEWS[view.value].query() };
      if (status.value) query.status = [status.value as reservations.Reservation['status']];
      // A location (issue 14): the reservation search, over your own only, in that subtree.
      if (location.value) return search.search(session.api, searchQuery(query, location.value, view.value));
      return reservations.mine(session.api, query);
    },
    renderItem: (reservation) => reservationCard(session, reservation, nameOf),
  });
  view.addEventListener('change', () => void listing.reload());
  status.addEventListener('change', () => void listing.reload());
  location.addEventListener('change', () => void listing.reload());
  session.events.on('reservations-changed', () => void listing.reload());
  return h('div', { class: 'my-reservations' },
    h('div', { class: 'toolbar' }, field('Show', view), field('Status', status), field('Location', location)),
    listing.element);
}

/** A reservation card: when, status, notes, and what the owner may do with it. */
export function reservationCard(session: Session, reservation: reservations.Reservation, nameOf: NameOf, kind = 'reservation'): HTMLElement {
  const title = h('h3', { text: reservation.resource_name ?? 'Resource…' });
  void nameOf(reservation).then((name) => { title.textContent = name; });
  const occupying = OCCUPYING.has(reservation.status);
  const future = new Date(reservation.end_time) > new Date();
  const actions = h('div', { class: 'actions' });
  if (occupying && future && session.canBook) {
    actions.append(
      h('button', { type: 'button', class: 'button', text: 'Reschedule', onclick: () => openReschedule(session, reservation, title.textContent ?? '') }),
      h('button', {
        type: 'button', class: 'button danger', text: 'Cancel…',
        onclick: () => (reservation.series_id ? openSeriesCancel : openCancel)(session, reservation, title.textContent ?? ''),
      }),
    );
  }
  actions.append(h('button', { type: 'button', class: 'button', text: 'History', onclick: () => void openHistory(session, reservation, title.textContent ?? '') }));
  actions.append(addToCalendarButton(session, reservation, () => title.textContent ?? ''));
  const dataset: Record<string, string> = { reservationId: reservation.reservation_id, status: reservation.status };
  if (reservation.series_id) dataset.seriesId = reservation.series_id;
  return card({ class: kind, dataset }, title,
    [seriesBadge(reservation), badge(statusText(reservation.status), reservation.status)],
    h('p', { class: 'when', text: formatRange(reservation.start_time, reservation.end_time) }),
    reservation.notes ? h('p', { class: 'description', text: reservation.notes }) : null,
    reservation.cancellation_reason ? h('p', { class: 'hint', text: `Cancelled: ${reservation.cancellation_reason}` }) : null,
    checkInSection(session, reservation), // issue 10: around its start
    actions);
}

function openCancel(session: Session, reservation: reservations.Reservation, name: string): void {
  const reason = h('textarea', { name: 'reason', rows: '2', maxlength: '500', required: true });
  const box = errorBox();
  const form = h('form', { class: 'stack', 'aria-label': 'Cancel reservation' },
    h('p', { text: `${name}: ${formatRange(reservation.start_time, reservation.end_time)}` }),
    field('Reason', reason, 'Shown in the reservation history.'),
    box,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button danger', text: 'Cancel reservation' }),
      h('button', { type: 'button', class: 'button', text: 'Keep it', onclick: () => dialog.close() })));
  onSubmit(form, box, async () => {
    await reservations.cancel(session.api, reservation.reservation_id, reason.value.trim());
    dialog.close();
    toast('Reservation cancelled.');
    session.events.emit('reservations-changed', { source: 'local' });
  });
  const dialog = openDialog('Cancel reservation', form);
  reason.focus();
}

async function openHistory(session: Session, reservation: reservations.Reservation, name: string): Promise<void> {
  const box = errorBox();
  const list = h('ol', { class: 'history', 'aria-busy': 'true' });
  openDialog(`History: ${name}`, box, list);
  try {
    const entries = (await reservations.history(session.api, reservation.reservation_id)).items;
    list.replaceChildren(...entries.map((entry) => historyItem(session, entry)));
    if (!entries.length) list.replaceWith(h('p', { text: 'No history recorded.' }));
  } catch (error) {
    showError(box, error);
  } finally {
    list.removeAttribute('aria-busy');
  }
}

type HistoryEntry = Awaited<ReturnType<typeof reservations.history>>['items'][number];
const HISTORY_WINDOWS = [['old_start_time', 'old_end_time', 'from'], ['new_start_time', 'new_end_time', 'to'], ['start_time', 'end_time', '']] as const;

function historyItem(session: Session, entry: HistoryEntry): HTMLLIElement {
  const who = entry.actor_id === session.me.id ? 'you' : `user ${entry.actor_id}`;
  const details = (entry.details ?? {}) as Record<string, string | undefined>;
  const extra = HISTORY_WINDOWS
    .filter(([start, end]) => details[start] && details[end])
    .map(([start, end, word]) => `${word ? `${word} ` : ''}${formatRange(details[start] ?? '', details[end] ?? '')}`);
  if (details.override) extra.push(`rules overridden: ${details.override}`);
  if (entry.reason) extra.push(`reason: ${entry.reason}`);
  return h('li', {},
    h('strong', { text: String(entry.action).replace('_', ' ') }),
    entry.at ? ` · ${formatInstant(entry.at)}` : '',
    ` · by ${who}`,
    extra.length ? h('div', { class: 'hint', text: extra.join(' · ') }) : null);
}
