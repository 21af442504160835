// The route table of the signed-in app: each entry is a tab whose screen module is loaded the
// first time it is shown (one chunk per screen; the calendar's library only loads with it).
import type { Session } from './state';

export interface ScreenModule {
  render(session: Session): Node | Promise<Node>;
}

export interface Route {
  id: string;
  label: string;
  load: () => Promise<ScreenModule>;
  /** Shown only when this is true for the session. */
  when?: (session: Session) => boolean;
  /** Run when the tab is shown again (its screen already built). */
  onShow?: (session: Session) => void;
}

export const ROUTES: Route[] = [
  { id: 'home', label: 'Dashboard', load: () => import('./screens/home') },
  { id: 'resources', label: 'Resources', load: () => import('./screens/resources') },
  {
    id: 'reservations',
    label: 'My reservations',
    load: () => import('./screens/reservations'),
    onShow: (session) => session.events.emit('reservations-changed', { source: 'local' }),
  },
  { id: 'calendar', label: 'Calendar', load: () => import('./screens/calendar') },
  // Issue 11: webhooks (any signed-in user owns their own; guests read only)
  { id: 'webhooks', label: 'Webhooks', load: () => import('./screens/webhooks') },
  // analytics (issue 12): everyone's figures for admins, your own for everyone else
  { id: 'analytics', label: 'Analytics', load: () => import('./screens/analytics') },
  // Waitlist and approvals (issue 10)
  { id: 'waitlist', label: 'My waitlist', load: () => import('./screens/waitlist'), when: (session) => session.canBook },
  { id: 'approvals', label: 'Approvals', load: () => import('./screens/approvals'), when: (session) => session.canBook },
  // Booking quotas (issue 13): my usage of every rule that applies to me
  { id: 'quotas', label: 'My limits', load: () => import('./screens/quotas'), when: (session) => session.canBook },
  // Reservations CSV import/export (issue 14)
  { id: 'import-export', label: 'Import / export', load: () => import('./screens/import-export') },
  { id: 'admin', label: 'Admin', load: () => import('./screens/admin/index'), when: (session) => session.me.is_admin },
];

export const DEFAULT_ROUTE = 'home';

/** The route a location hash names ("#calendar"), or the default. */
export function routeFromHash(hash: string, routes: Route[]): string {
  const id = hash.replace(/^#/, '');
  return routes.some((r) => r.id === id) ? id : DEFAULT_ROUTE;
}
