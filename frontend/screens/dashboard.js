// The signed-in screen: header (live indicator, user menu) and the tabs.
import { h, toast } from '../dom.js';
import { tabs, menuButton } from '../widgets.js';
import { LiveConnection } from '../ws.js';
import { renderAdmin } from './admin.js';
import { openMfa } from './mfa.js';
import { notificationBell } from './notifications.js';
import { openProfile } from './profile.js';
import { renderReservations } from './reservations.js';
import { renderResources } from './resources.js';

const LIVE_TEXT = {
  connecting: 'Live updates: connecting…',
  connected: 'Live updates: connected',
  disconnected: 'Live updates: disconnected',
};

export async function renderDashboard(ctx) {
  ctx.me = await ctx.api.get('/api/v1/users/me');
  // Guests are read-only (the API refuses their writes); do not offer what would fail.
  ctx.canBook = (ctx.me.roles || []).some((role) => role === 'user' || role === 'admin');
  renderHeader(ctx);
  startLive(ctx);

  const items = [
    { id: 'resources', label: 'Resources', render: () => renderResources(ctx) },
    { id: 'reservations', label: 'My reservations', render: () => renderReservations(ctx), onShow: () => ctx.emit('reservations-changed') },
  ];
  if (ctx.me.is_admin) items.push({ id: 'admin', label: 'Admin', render: () => renderAdmin(ctx) });
  const initial = location.hash.replace('#', '') || 'resources';
  const set = tabs(items, {
    label: 'Dashboard',
    initial,
    onChange: (id) => history.replaceState(null, '', `#${id}`),
  });
  ctx.selectTab = (id) => set.select(id, { focus: true });
  ctx.show('Dashboard', h('h1', { class: 'visually-hidden', text: 'Dashboard' }), set.element);
}

function renderHeader(ctx) {
  const indicator = h(
    'div',
    { class: 'live', role: 'status', 'data-state': 'connecting', 'data-testid': 'live-indicator' },
    h('span', { class: 'dot', 'aria-hidden': 'true' }),
    h('span', { class: 'live-text', text: LIVE_TEXT.connecting }),
  );
  ctx.liveIndicator = indicator;
  const roles = (ctx.me.roles || []).join(', ');
  const menu = menuButton(ctx.me.username, [
    { label: 'Profile and preferences', action: () => openProfile(ctx) },
    { label: 'Two-step verification (MFA)', action: () => openMfa(ctx) },
    { label: 'Sign out', action: () => ctx.signOut() },
  ], { accessibleLabel: `Account menu for ${ctx.me.username}` });
  ctx.header.replaceChildren(
    h('div', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true', text: '▦' }), 'Resource Reserver'),
    h('div', { class: 'header-right' },
      indicator,
      notificationBell(ctx),
      roles ? h('span', { class: 'roles', text: roles }) : null,
      menu),
  );
  ctx.header.hidden = false;
}

function startLive(ctx) {
  if (ctx.live) ctx.live.stop();
  if (!ctx.config.wsUrl) {
    setIndicator(ctx, 'disconnected', 'no WebSocket URL configured');
    return;
  }
  const token = async (fresh) => {
    if (fresh) await ctx.api.refresh();
    return ctx.api.currentAccessToken();
  };
  ctx.live = new LiveConnection(ctx.config.wsUrl, token, {
    onState: (state, detail) => setIndicator(ctx, state, detail),
    onMessage: (message) => onLiveMessage(ctx, message),
  });
  ctx.live.start();
}

function setIndicator(ctx, state, detail) {
  const indicator = ctx.liveIndicator;
  if (!indicator) return;
  indicator.dataset.state = state;
  indicator.querySelector('.live-text').textContent = LIVE_TEXT[state] + (detail ? ` (${detail})` : '');
}

/**
 * Pushed events: a notification ({type: "notification", notification: {kind, title...}})
 * bumps the unread count, is announced briefly, and refreshes the lists its kind touches.
 */
function onLiveMessage(ctx, message) {
  const note = message.type === 'notification' ? message.notification || {} : null;
  const kind = String(note ? note.kind : message.type || '');
  if (kind.startsWith('reservation')) ctx.emit('reservations-changed', message);
  if (kind.startsWith('resource')) ctx.emit('resources-changed', message);
  if (note) {
    ctx.emit('notification', note);
    if (note.title) toast(note.title);
  }
  ctx.emit('live-message', message);
}
