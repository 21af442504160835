// The dashboard: my next reservations, my latest notifications (live: a push reloads them)
// and quick book (find a resource, take its next free hour or open the Reserve dialog).
// Offers (waitlist, with their countdown) and approvals waiting for me (issue 10), live.
import * as notes from '../api/notifications';
import * as reservations from '../api/reservations';
import * as resources from '../api/resources';
import { field, h } from '../components/dom';
import { clearError, errorBox, guarded, showError } from '../components/errors';
import { debounced } from '../components/paged-list';
import type { Session } from '../state';
import { openReserve } from './booking';
import { approvalsWaiting, offersWaiting } from './home-waiting';
import { notificationItem } from './notifications';
import { nameCache, reservationCard } from './reservations';
import { isBookable } from './resources';

const SHOWN = 5;

export function render(session: Session): HTMLElement {
  return h('div', { class: 'home' },
    upcoming(session),
    offersWaiting(session, panel, filler), // issue 10
    approvalsWaiting(session, panel, filler), // issue 10
    latestNotifications(session),
    session.canBook ? quickBook(session) : null);
}

/** A dashboard card. */
export function panel(title: string, id: string, body: HTMLElement, ...extra: Node[]): { element: HTMLElement; box: HTMLElement } {
  const box = errorBox();
  const element = h('section', { class: 'card panel', 'aria-labelledby': id },
    h('h2', { id, text: title }), box, body, ...extra);
  return { element, box };
}

/**
 * Fill `list` with the nodes `fetch` answers and `status` with its line (the list is busy
 * meanwhile; errors go to `box`). Returns the reload function.
 */
export function filler(list: HTMLElement, box: HTMLElement, fetch: () => Promise<{ nodes: Node[]; status: string }>, status: HTMLElement): () => Promise<void> {
  return async () => {
    list.setAttribute('aria-busy', 'true');
    clearError(box);
    try {
      const answer = await fetch();
      list.replaceChildren(...answer.nodes);
      status.textContent = answer.status;
    } catch (error) {
      showError(box, error);
    } finally {
      list.removeAttribute('aria-busy');
    }
  };
}

function upcoming(session: Session): HTMLElement {
  const list = h('ul', { class: 'cards', 'aria-label': 'Upcoming reservations' });
  const status = h('p', { class: 'list-status', role: 'status' });
  const nameOf = nameCache(session);
  const all = h('button', { type: 'button', class: 'button', text: 'All my reservations', onclick: () => session.nav.go('reservations') });
  const { element, box } = panel('Upcoming reservations', 'home-upcoming', list, status, h('div', { class: 'actions' }, all));
  const load = filler(list, box, async () => {
    const page = await reservations.mine(session.api, { limit: SHOWN });
    return {
      nodes: page.items.map((r) => reservationCard(session, r, nameOf, 'upcoming')),
      status: page.items.length ? '' : 'Nothing booked ahead.',
    };
  }, status);
  session.events.on('reservations-changed', () => void load());
  void load();
  return element;
}

function latestNotifications(session: Session): HTMLElement {
  const list = h('ul', { class: 'rows', 'aria-label': 'Latest notifications', 'aria-live': 'polite' });
  const status = h('p', { class: 'list-status', role: 'status' });
  const { element, box } = panel('Notifications', 'home-notifications', list, status);
  const load = filler(list, box, async () => {
    const page = await notes.list(session.api, { limit: SHOWN });
    return {
      nodes: page.items.map((n) => notificationItem(session, n, box, () => Promise.resolve())),
      status: page.items.length ? `${page.unread_count} unread.` : 'No notifications yet.',
    };
  }, status);
  session.events.on('notification', () => void load());
  void load();
  return element;
}

function quickBook(session: Session): HTMLElement {
  const search = h('input', { type: 'search', name: 'quick', autocomplete: 'off', placeholder: 'Name or description' });
  const list = h('ul', { class: 'rows', 'aria-label': 'Quick book results' });
  const status = h('p', { class: 'list-status', role: 'status' });
  const { element, box } = panel('Quick book', 'home-quick', h('div', {}, field('Find a resource to book', search), list, status));
  const load = filler(list, box, async () => {
    const q = search.value.trim();
    if (!q) return { nodes: [], status: '' };
    const page = await resources.list(session.api, { q, limit: SHOWN });
    const nodes = page.items.filter((r) => isBookable(session, r)).map((r) => quickRow(session, r, box));
    return { nodes, status: nodes.length ? '' : 'No bookable resource matches.' };
  }, status);
  debounced([search], { pending: () => list.setAttribute('aria-busy', 'true') }, () => void load());
  return element;
}

/** A resource found by quick book: its next free hour in one click, or the Reserve dialog. */
function quickRow(session: Session, resource: resources.Resource, box: HTMLElement): HTMLLIElement {
  return h('li', { class: 'row-item' },
    h('div', { class: 'row-main' }, h('strong', { text: resource.name }), h('div', { class: 'hint', text: resources.locationText(resource) })),
    h('div', { class: 'actions' },
      h('button', {
        type: 'button', class: 'button primary', text: 'Next free hour', 'aria-label': `Next free hour of ${resource.name}`,
        onclick: () => guarded(box, async () => {
          const next = await resources.nextAvailable(session.api, resource.resource_id, 60);
          if (!next.slot) throw new Error(`${resource.name} has no free hour in the searched period.`);
          const start = new Date(next.slot.start_time);
          openReserve(session, resource, { start, end: new Date(start.getTime() + 3_600_000) });
        }),
      }),
      h('button', { type: 'button', class: 'button', text: 'Reserve…', 'aria-label': `Reserve ${resource.name}`, onclick: () => openReserve(session, resource) })));
}
