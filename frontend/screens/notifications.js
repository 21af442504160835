// The notification centre: a header button with the unread count (kept current by WebSocket
// pushes) and a dialog listing notifications, with mark-read and mark-all-read.
import { errorBox, guarded, h, openDialog } from '../dom.js';
import { pagedList } from '../paging.js';
import { formatInstant } from '../time.js';

export function notificationBell(ctx) {
  let unread = 0;
  const count = h('span', { class: 'count', 'aria-hidden': 'true' });
  const bell = h('button', { type: 'button', class: 'button bell', 'data-testid': 'notifications' },
    h('span', { 'aria-hidden': 'true', text: 'Notifications' }), ' ', count);

  const show = (value) => {
    unread = Math.max(0, value);
    count.textContent = String(unread);
    count.hidden = unread === 0;
    bell.setAttribute('aria-label', `Notifications, ${unread} unread`);
  };
  show(0);

  ctx.api.get('/api/v1/notifications', { limit: 1, unread_only: true })
    .then((page) => show(page.unread_count ?? 0))
    .catch(() => { bell.hidden = true; });
  ctx.on('notification', () => show(unread + 1));
  bell.addEventListener('click', () => openCentre(ctx, show));
  return bell;
}

function openCentre(ctx, show) {
  const box = errorBox();
  let listing = null;
  const item = (note) => {
    const node = h('li', { class: note.read ? 'row-item' : 'row-item unread' },
      h('div', { class: 'row-main' },
        h('strong', { text: note.title }),
        note.body ? h('div', { text: note.body }) : null,
        h('div', { class: 'hint', text: formatInstant(note.created_at) })));
    if (!note.read) {
      node.append(h('button', {
        type: 'button', class: 'button', text: 'Mark read', 'aria-label': `Mark read: ${note.title}`,
        onclick: () => guarded(box, async () => {
          const updated = await ctx.api.post(`/api/v1/notifications/${encodeURIComponent(note.notification_id)}/read`, {});
          node.replaceWith(item(updated));
          const page = await ctx.api.get('/api/v1/notifications', { limit: 1, unread_only: true });
          show(page.unread_count ?? 0);
        }),
      }));
    }
    return node;
  };
  listing = pagedList({
    label: 'Notifications',
    emptyText: 'No notifications yet.',
    listClass: 'rows',
    fetchPage: async (cursor, limit) => {
      const page = await ctx.api.get('/api/v1/notifications', { limit, cursor });
      show(page.unread_count ?? 0);
      return page;
    },
    renderItem: item,
  });
  const markAll = h('button', {
    type: 'button', class: 'button', text: 'Mark all as read',
    onclick: () => guarded(box, async () => {
      const result = await ctx.api.post('/api/v1/notifications/read-all', {});
      show(result.unread_count ?? 0);
      listing.reload();
    }),
  });
  const stop = ctx.on('notification', () => listing.reload());
  const dialog = openDialog('Notifications', h('div', { class: 'actions' }, markAll), box, listing.element);
  dialog.addEventListener('close', stop);
}
