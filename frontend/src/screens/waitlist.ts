// My waitlist (issue 10): my entries with their place in the queue and offer state; an offer
// shows a live countdown to its deadline with Accept / Decline. Pushed waitlist events reload
// the list. `openJoinWaitlist` is the Join dialog the calendar (a taken slot) and the Reserve
// dialog (a conflict) open: the exact window, or any window of a length inside a range.
import * as resources from '../api/resources';
import * as waitlist from '../api/waitlist';
import { badge, card, meta, statusText } from '../components/badge';
import { openDialog, toast } from '../components/dialog';
import { checkbox, field, h } from '../components/dom';
import { errorBox, guarded, onSubmit } from '../components/errors';
import { pagedList } from '../components/paged-list';
import { countdownText, countdownWords } from '../lib/countdown';
import { formatInstant, formatRange, toLocalInput, type TimeWindow } from '../lib/time';
import type { Session } from '../state';
import { windowFields } from './booking';

const TICK_MS = 1000;

type Named = Pick<resources.Resource, 'resource_id' | 'name'>;

/** Resource names, fetched once each. */
export function resourceNames(session: Session): (id: string) => Promise<string> {
  return resources.names(session.api);
}

export function render(session: Session): HTMLElement {
  const nameOf = resourceNames(session);
  const listing = pagedList<waitlist.Entry>({
    label: 'My waitlist',
    emptyText: 'You are not waiting for anything. Join a waitlist from a taken slot in the Calendar.',
    listClass: 'cards waitlist',
    fetchPage: (cursor, limit) => waitlist.mine(session.api, { limit, cursor }),
    renderItem: (entry) => entryCard(session, entry, nameOf, () => void listing.reload()),
  });
  session.events.on('waitlist-changed', () => void listing.reload());
  // One clock for every countdown on the screen.
  setInterval(() => tick(listing.list), TICK_MS);
  return h('div', { class: 'my-waitlist' },
    h('p', { class: 'hint', text: 'When a slot you wait for frees up, it is held for you for a short time: accept it before the countdown ends.' }),
    listing.element);
}

/** Refresh every countdown under `root`. */
export function tick(root: HTMLElement, now: Date = new Date()): void {
  root.querySelectorAll<HTMLElement>('[data-deadline]').forEach((node) => {
    const deadline = node.dataset.deadline ?? '';
    node.textContent = countdownText(deadline, now);
    node.setAttribute('aria-label', countdownWords(deadline, now));
  });
}

function entryCard(session: Session, entry: waitlist.Entry, nameOf: (id: string) => Promise<string>, changed: () => void): HTMLElement {
  const title = h('h3', { text: 'Resource…' });
  void nameOf(entry.resource_id).then((name) => { title.textContent = name; });
  const box = errorBox();
  const actions = h('div', { class: 'actions' });
  const offer = entry.status === 'offered' ? entry.offer : null;
  const done = (message: string): void => {
    toast(message);
    changed();
    session.events.emit('reservations-changed', { source: 'local', resourceId: entry.resource_id });
  };
  if (offer) {
    actions.append(
      h('button', {
        type: 'button', class: 'button primary', text: 'Accept',
        onclick: () => guarded(box, async () => {
          const answer = await waitlist.accept(session.api, entry.entry_id);
          done(answer.reservation.status === 'pending_approval' ? 'Accepted: waiting for approval.' : 'Accepted: it is booked.');
        }),
      }),
      h('button', {
        type: 'button', class: 'button', text: 'Decline',
        onclick: () => guarded(box, async () => { await waitlist.decline(session.api, entry.entry_id); done('Offer declined.'); }),
      }));
  }
  if (entry.status === 'waiting' || entry.status === 'offered') {
    actions.append(h('button', {
      type: 'button', class: 'button danger', text: 'Leave',
      onclick: () => guarded(box, async () => { await waitlist.leave(session.api, entry.entry_id); done('You left the waitlist.'); }),
    }));
  }
  const wish = entry.duration_minutes
    ? `any ${entry.duration_minutes} min within ${formatRange(entry.start_time, entry.end_time)}${entry.within_hours ? ', opening hours only' : ''}`
    : formatRange(entry.start_time, entry.end_time);
  const countdown = offer ? h('strong', { class: 'countdown', dataset: { deadline: offer.expires_at }, role: 'timer' }) : null;
  if (countdown) tick(h('div', {}, countdown));
  return card({ class: `entry entry-${entry.status}`, dataset: { entryId: entry.entry_id, status: entry.status } }, title,
    [badge(statusText(entry.status), entry.status === 'offered' ? 'held' : entry.status), entry.auto_book ? badge('auto-book', 'mine') : null],
    h('p', { class: 'when', text: wish }),
    meta([
      ['Place in the queue', entry.position ?? null],
      ['Offered window', offer ? formatRange(offer.start_time, offer.end_time) : null],
      ['Accept before', offer ? formatInstant(offer.expires_at) : null],
      ['Note', entry.reason ?? null],
    ]),
    countdown ? h('p', { class: 'offer' }, 'Time left to accept: ', countdown) : null,
    box,
    actions);
}

/** The Join dialog. `window`: the taken slot (exact wish); the range starts as that day. */
export function openJoinWaitlist(session: Session, resource: Named, window: TimeWindow): HTMLDialogElement {
  const times = windowFields(toLocalInput(window.start), toLocalInput(window.end));
  const flexible = h('input', { type: 'checkbox', name: 'flexible' });
  const minutes = Math.max(1, Math.round((window.end.getTime() - window.start.getTime()) / 60_000));
  const duration = h('input', { type: 'number', name: 'duration_minutes', min: '1', max: '10080', value: String(minutes), disabled: true });
  const withinHours = h('input', { type: 'checkbox', name: 'within_hours', disabled: true });
  const autoBook = h('input', { type: 'checkbox', name: 'auto_book' });
  const notes = h('textarea', { name: 'notes', rows: '2', maxlength: '1000' });
  flexible.addEventListener('change', () => { duration.disabled = !flexible.checked; withinHours.disabled = !flexible.checked; });
  const box = errorBox();
  const form = h('form', { class: 'stack', 'aria-label': `Join the waitlist of ${resource.name}` },
    h('p', { text: 'You will be offered this time if it frees up (the first in the queue is offered first).' }),
    ...times.elements,
    checkbox('Flexible: any window of a length inside this range', flexible),
    h('div', { class: 'row' },
      field('Length (minutes)', duration),
      checkbox('Only within opening hours', withinHours)),
    checkbox('Book it for me at once instead of offering it', autoBook),
    field('Notes (optional)', notes),
    box,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button primary', text: 'Join the waitlist' }),
      h('button', { type: 'button', class: 'button', text: 'Cancel', onclick: () => dialog.close() })));
  onSubmit(form, box, async () => {
    const body: waitlist.Join = { resource_id: resource.resource_id, ...times.read(), auto_book: autoBook.checked };
    if (flexible.checked) {
      body.duration_minutes = Number(duration.value);
      body.within_hours = withinHours.checked;
    }
    if (notes.value.trim()) body.notes = notes.value.trim();
    const entry = await waitlist.join(session.api, body);
    dialog.close();
    toast(`You joined the waitlist of ${resource.name}${entry.position ? ` (place ${entry.position})` : ''}.`);
    session.events.emit('waitlist-changed', { source: 'local' });
  });
  const dialog = openDialog(`Join the waitlist: ${resource.name}`, form);
  times.startInput.focus();
  return dialog;
}

/** A "Join the waitlist…" button for a taken window (conflict messages, the calendar). */
export function joinButton(session: Session, resource: Named, window: TimeWindow, before?: () => void): HTMLButtonElement {
  return h('button', {
    type: 'button', class: 'button', text: 'Join the waitlist…',
    onclick: () => { before?.(); openJoinWaitlist(session, resource, window); },
  });
}
