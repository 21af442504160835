// Admin tab (shown to admins only; the API checks the role on every call anyway): one module
// per area, each loaded when its tab is first shown.
import { tabs } from '../../components/tabs';
import type { Session } from '../../state';

const AREAS = [
  { id: 'admin-resources', label: 'Resources', load: () => import('./resources') },
  { id: 'admin-rules', label: 'Opening hours and blackouts', load: () => import('./rules') },
  { id: 'admin-users', label: 'Users and roles', load: () => import('./users') },
  // observability (issue 15): the metrics summary
  { id: 'admin-metrics', label: 'Metrics', load: () => import('./metrics') },
  // Issue 11: the audit log, jobs and dead letters, OAuth clients
  { id: 'admin-audit', label: 'Audit log', load: () => import('./audit') },
  { id: 'admin-operations', label: 'Jobs and dead letters', load: () => import('./operations') },
  { id: 'admin-oauth', label: 'OAuth clients', load: () => import('./oauth') },
  // Locations (catalog14)
  { id: 'admin-groups', label: 'Locations', load: () => import('./groups') },
  // Booking quotas (issue 13)
  { id: 'admin-quotas', label: 'Quotas', load: () => import('./quotas') },
  // Custom roles (roles14)
  { id: 'admin-roles', label: 'Custom roles', load: () => import('./roles') },
  // Reservation search (audit14)
  { id: 'admin-reservations', label: 'Reservation search', load: () => import('./reservations') },
];

export function render(session: Session): HTMLElement {
  return tabs(
    AREAS.map((area) => ({ id: area.id, label: area.label, render: async () => (await area.load()).render(session) })),
    { label: 'Administration' },
  ).element;
}
