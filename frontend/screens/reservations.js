// My reservations: list (cursor pages), cancel with a reason, history, reschedule; occurrences
// of a recurring series carry a "series" badge and cancel this one / following / the series.
import { badge, errorBox, field, h, onSubmit, openDialog, showError, toast } from '../dom.js';
import { pagedList } from '../paging.js';
import { formatInstant, formatRange } from '../time.js';
import { openReschedule } from './booking.js';
import { openSeriesCancel, seriesBadge } from './series.js';

const OCCUPYING = new Set(['active', 'pending_approval', 'held']);
// The API's default listing is "occupying and not ended yet, soonest first".
const VIEWS = {
  upcoming: { label: 'Upcoming', query: () => ({}) },
  past: { label: 'Past', query: () => ({ to: new Date().toISOString(), status: 'any', order: 'desc' }) },
  all: { label: 'All, latest first', query: () => ({ status: 'any', order: 'desc' }) },
};
const STATUSES = ['', 'active', 'pending_approval', 'held', 'cancelled', 'rejected', 'expired', 'no_show'];

/** Resource names for the list, fetched once each (reservations carry only the id). */
function nameCache(ctx) {
  const names = new Map();
  return (reservation) => {
    if (reservation.resource_name) return Promise.resolve(reservation.resource_name);
    const id = reservation.resource_id;
    if (!names.has(id)) {
      names.set(id, ctx.api.get(`/api/v1/resources/${encodeURIComponent(id)}`)
        .then((resource) => resource.name)
        .catch(() => `Resource ${id}`));
    }
    return names.get(id);
  };
}

export function renderReservations(ctx) {
  const view = h('select', { name: 'view' },
    Object.entries(VIEWS).map(([value, { label }]) => h('option', { value, text: label })));
  const status = h('select', { name: 'status' },
    STATUSES.map((value) => h('option', { value, text: value ? value.replace('_', ' ') : 'Any status' })));
  const nameOf = nameCache(ctx);
  const listing = pagedList({
    label: 'My reservations',
    emptyText: 'No reservations here. Reserve something from the Resources tab.',
    listClass: 'cards reservations',
    fetchPage: (cursor, limit) => {
      const query = { limit, cursor, ...VIEWS[view.value].query() };
      if (status.value) query.status = status.value;
      return ctx.api.get('/api/v1/reservations/my', query);
    },
    renderItem: (reservation) => reservationCard(ctx, reservation, nameOf),
  });
  view.addEventListener('change', () => listing.reload());
  status.addEventListener('change', () => listing.reload());
  ctx.on('reservations-changed', () => listing.reload());
  return h(
    'div',
    { class: 'my-reservations' },
    h('div', { class: 'toolbar' }, field('Show', view), field('Status', status)),
    listing.element,
  );
}

function reservationCard(ctx, reservation, nameOf) {
  const title = h('h3', { text: 'Resource…' });
  nameOf(reservation).then((name) => { title.textContent = name; });
  const occupying = OCCUPYING.has(reservation.status);
  const future = new Date(reservation.end_time) > new Date();
  const actions = h('div', { class: 'actions' });
  if (occupying && future && ctx.canBook !== false) {
    actions.append(
      h('button', { type: 'button', class: 'button', text: 'Reschedule', onclick: () => openReschedule(ctx, reservation, title.textContent) }),
      h('button', {
        type: 'button',
        class: 'button danger',
        text: 'Cancel…',
        onclick: () => (reservation.series_id ? openSeriesCancel : openCancel)(ctx, reservation, title.textContent),
      }),
    );
  }
  actions.append(h('button', { type: 'button', class: 'button', text: 'History', onclick: () => openHistory(ctx, reservation, title.textContent) }));
  return h(
    'li',
    { class: 'card reservation', dataset: cardData(reservation) },
    h('div', { class: 'card-head' }, title, h('span', { class: 'badges' },
      seriesBadge(reservation), badge(String(reservation.status).replace('_', ' '), reservation.status))),
    h('p', { class: 'when', text: formatRange(reservation.start_time, reservation.end_time) }),
    reservation.notes ? h('p', { class: 'description', text: reservation.notes }) : null,
    reservation.cancellation_reason ? h('p', { class: 'hint', text: `Cancelled: ${reservation.cancellation_reason}` }) : null,
    actions,
  );
}

function cardData(reservation) {
  const data = { reservationId: reservation.reservation_id, status: reservation.status };
  if (reservation.series_id) data.seriesId = reservation.series_id;
  return data;
}

function openCancel(ctx, reservation, name) {
  const reason = h('textarea', { name: 'reason', rows: '2', maxlength: '500', required: true });
  const box = errorBox();
  const form = h(
    'form',
    { class: 'stack', 'aria-label': 'Cancel reservation' },
    h('p', { text: `${name}: ${formatRange(reservation.start_time, reservation.end_time)}` }),
    field('Reason', reason, 'Shown in the reservation history.'),
    box,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button danger', text: 'Cancel reservation' }),
      h('button', { type: 'button', class: 'button', text: 'Keep it', onclick: () => dialog.close() })),
  );
  onSubmit(form, box, async () => {
    await ctx.api.post(`/api/v1/reservations/${encodeURIComponent(reservation.reservation_id)}/cancel`, { reason: reason.value.trim() });
    dialog.close();
    toast('Reservation cancelled.');
    ctx.emit('reservations-changed');
  });
  const dialog = openDialog('Cancel reservation', form);
  reason.focus();
}

function historyEntries(response) {
  return Array.isArray(response) ? response : response?.items ?? [];
}

async function openHistory(ctx, reservation, name) {
  const box = errorBox();
  const list = h('ol', { class: 'history', 'aria-busy': 'true' });
  openDialog(`History: ${name}`, box, list);
  try {
    const entries = historyEntries(await ctx.api.get(
      `/api/v1/reservations/${encodeURIComponent(reservation.reservation_id)}/history`, { limit: 100 }));
    list.replaceChildren(...entries.map((entry) => historyItem(ctx, entry)));
    if (!entries.length) list.replaceWith(h('p', { text: 'No history recorded.' }));
  } catch (error) {
    showError(box, error);
  } finally {
    list.removeAttribute('aria-busy');
  }
}

const HISTORY_WINDOWS = [['old_start_time', 'old_end_time', 'from'], ['new_start_time', 'new_end_time', 'to'], ['start_time', 'end_time', '']];

function historyItem(ctx, entry) {
  const who = entry.actor_id === ctx.me?.id ? 'you' : `user ${entry.actor_id}`;
  const details = entry.details || {};
  const extra = HISTORY_WINDOWS
    .filter(([start, end]) => details[start] && details[end])
    .map(([start, end, word]) => `${word ? `${word} ` : ''}${formatRange(details[start], details[end])}`);
  if (details.override) extra.push(`rules overridden: ${details.override}`);
  if (entry.reason) extra.push(`reason: ${entry.reason}`);
  return h('li', {},
    h('strong', { text: String(entry.action).replace('_', ' ') }),
    entry.at ? ` · ${formatInstant(entry.at)}` : '',
    ` · by ${who}`,
    extra.length ? h('div', { class: 'hint', text: extra.join(' · ') }) : null);
}
