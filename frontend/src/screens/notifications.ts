// The notification centre: a header button with the unread count (kept current by WebSocket
// pushes) and a dialog listing notifications, with mark-read and mark-all-read.
import * as notes from '../api/notifications';
import { openDialog } from '../components/dialog';
import { h } from '../components/dom';
import { errorBox, guarded } from '../components/errors';
import { pagedList } from '../components/paged-list';
import { formatInstant } from '../lib/time';
import type { Session } from '../state';

export function notificationBell(session: Session): HTMLButtonElement {
  let unread = 0;
  const count = h('span', { class: 'count', 'aria-hidden': 'true' });
  const bell = h('button', { type: 'button', class: 'button bell', 'data-testid': 'notifications' },
    h('span', { 'aria-hidden': 'true', text: 'Notifications' }), ' ', count);
  const show = (value: number): void => {
    unread = Math.max(0, value);
    count.textContent = String(unread);
    count.hidden = unread === 0;
    bell.setAttribute('aria-label', `Notifications, ${unread} unread`);
  };
  show(0);
  notes.unreadCount(session.api).then(show).catch(() => { bell.hidden = true; });
  session.events.on('notification', () => show(unread + 1));
  bell.addEventListener('click', () => openCentre(session, show));
  return bell;
}

/** One notification; unread ones get a "Mark read" button. */
export function notificationItem(session: Session, note: notes.Notification, box: HTMLElement, onRead: () => Promise<void>): HTMLLIElement {
  const node = h('li', { class: note.read ? 'row-item' : 'row-item unread' },
    h('div', { class: 'row-main' },
      h('strong', { text: note.title }),
      note.body ? h('div', { text: note.body }) : null,
      h('div', { class: 'hint', text: formatInstant(note.created_at) })));
  if (!note.read) {
    node.append(h('button', {
      type: 'button', class: 'button', text: 'Mark read', 'aria-label': `Mark read: ${note.title}`,
      onclick: () => guarded(box, async () => {
        const updated = await notes.markRead(session.api, note.notification_id);
        node.replaceWith(notificationItem(session, updated, box, onRead));
        await onRead();
      }),
    }));
  }
  return node;
}

function openCentre(session: Session, show: (n: number) => void): void {
  const box = errorBox();
  const listing = pagedList<notes.Notification>({
    label: 'Notifications',
    emptyText: 'No notifications yet.',
    listClass: 'rows',
    fetchPage: async (cursor, limit) => {
      const page = await notes.list(session.api, { limit, cursor });
      show(page.unread_count ?? 0);
      return page;
    },
    renderItem: (note) => notificationItem(session, note, box, async () => show(await notes.unreadCount(session.api))),
  });
  const markAll = h('button', {
    type: 'button', class: 'button', text: 'Mark all as read',
    onclick: () => guarded(box, async () => {
      const result = await notes.markAllRead(session.api);
      show(result.unread_count ?? 0);
      await listing.reload();
    }),
  });
  const stop = session.events.on('notification', () => void listing.reload());
  const dialog = openDialog('Notifications', h('div', { class: 'actions' }, markAll), box, listing.element);
  dialog.addEventListener('close', stop);
}
