// The signed-in frame: header (live indicator, notifications, user menu), the WebSocket, and
// the tabs of the route table (routes.ts), each screen loaded when first shown.
import * as auth from '../api/auth';
import { toast } from '../components/dialog';
import { h } from '../components/dom';
import { menuButton } from '../components/menu';
import { tabs } from '../components/tabs';
import { route } from '../live/routing';
import { LiveConnection, type LiveState } from '../live/socket';
import { ROUTES, routeFromHash } from '../routes';
import { EventBus, type AppContext, type AppEvents, type Session } from '../state';
import { notificationBell } from './notifications';

const LIVE_TEXT: Record<LiveState, string> = {
  connecting: 'Live updates: connecting…',
  connected: 'Live updates: connected',
  disconnected: 'Live updates: disconnected',
};

export interface Shell {
  leave: () => void;
  go: (route: string) => void;
}

export async function openShell(ctx: AppContext): Promise<Shell> {
  const me = await auth.me(ctx.api);
  const events = new EventBus<AppEvents>();
  const live = ctx.config.wsUrl ? startLive(ctx, events) : null;
  const session: Session = {
    ...ctx,
    me,
    // Guests are read-only (the API refuses their writes); do not offer what would fail.
    canBook: me.roles.some((role) => role === 'user' || role === 'admin'),
    events,
    live,
  };
  renderHeader(session);
  if (!live) events.emit('live-state', { state: 'disconnected', detail: 'no WebSocket URL configured' });

  const routes = ROUTES.filter((r) => !r.when || r.when(session));
  const set = tabs(
    routes.map((r) => ({
      id: r.id,
      label: r.label,
      render: async () => (await r.load()).render(session),
      onShow: r.onShow ? () => r.onShow?.(session) : undefined,
    })),
    { label: 'Main sections', initial: routeFromHash(location.hash, routes), onChange: (id) => history.replaceState(null, '', `#${id}`) },
  );
  ctx.show('Dashboard', h('h1', { class: 'visually-hidden', text: 'Resource Reserver' }), set.element);
  live?.start();
  return {
    leave: () => {
      live?.stop();
      events.clear();
    },
    go: (id) => set.select(id, { focus: true }),
  };
}

function startLive(ctx: AppContext, events: EventBus<AppEvents>): LiveConnection {
  const token = async (fresh: boolean): Promise<string | null> => {
    if (fresh) await ctx.api.refresh();
    return ctx.api.currentAccessToken();
  };
  const live = new LiveConnection(ctx.config.wsUrl, token);
  live.onState((state, detail) => events.emit('live-state', { state, detail }));
  // Every pushed message becomes the app's named events (live/routing.ts).
  live.on('*', (message) => {
    for (const [name, detail] of route(message)) {
      (events.emit)(name, detail);
    }
  });
  events.on('notification', (note) => { if (note.title) toast(note.title); });
  return live;
}

function renderHeader(session: Session): void {
  const text = h('span', { class: 'live-text', text: LIVE_TEXT.connecting });
  const indicator = h('div', { class: 'live', role: 'status', 'data-state': 'connecting', 'data-testid': 'live-indicator' },
    h('span', { class: 'dot', 'aria-hidden': 'true' }), text);
  session.events.on('live-state', ({ state, detail }) => {
    indicator.dataset.state = state;
    text.textContent = LIVE_TEXT[state] + (detail ? ` (${detail})` : '');
  });
  const roles = session.me.roles.join(', ');
  const menu = menuButton(session.me.username, [
    { label: 'Profile and preferences', action: () => void import('./profile').then((m) => m.openProfile(session)) },
    { label: 'Two-step verification (MFA)', action: () => void import('./mfa').then((m) => m.openMfa(session)) },
    { label: 'Sign out', action: () => void session.nav.signOut() },
  ], { accessibleLabel: `Account menu for ${session.me.username}` });
  session.header.replaceChildren(
    h('div', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true', text: '▦' }), 'Resource Reserver'),
    h('div', { class: 'header-right' },
      indicator,
      notificationBell(session),
      roles ? h('span', { class: 'roles', text: roles }) : null,
      menu),
  );
  session.header.hidden = false;
}
