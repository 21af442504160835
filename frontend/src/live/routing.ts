// Pushed messages -> the app's named events. Pure, so Vitest checks it.
//
// Today the server pushes notifications ({type: "notification", notification: {kind...}}).
// Resource messages (slot taken/freed, held, maintenance, hours...) carry a `resource_id`;
// whatever their type, they become `resource-activity` for that resource (the calendars
// refetch it) and `resources-changed` when the resource itself changed.
import type { AppEvents } from '../state';
import type { LiveMessage } from './socket';

export type Routed = { [K in keyof AppEvents]: [K, AppEvents[K]] }[keyof AppEvents];

const RESOURCE_ITSELF = /(maintenance|enabled|disabled|hours|blackout|resource\.(updated|deleted|created))/;

/** The server's live message (docs/events.md "Live messages", v1): `{type: "live", events: [...]}`,
 * each entry an event kind (`event`) with its fields; each is routed as a message of its own. */
export function route(message: LiveMessage): Routed[] {
  if (message.type === 'live' && Array.isArray(message.events)) {
    return (message.events as unknown[])
      .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
      .flatMap((e) => routeOne({ ...e, type: typeof e.event === 'string' ? e.event : '' }));
  }
  return routeOne(message);
}

function routeOne(message: LiveMessage): Routed[] {
  const out: Routed[] = [];
  const note = message.type === 'notification' && message.notification && typeof message.notification === 'object'
    ? message.notification as AppEvents['notification'] : null;
  const kind = String(note ? note.kind ?? '' : message.type ?? '');
  const data = (note?.data ?? message.data ?? {}) as Record<string, unknown>;
  const resourceId = typeof message.resource_id === 'string' ? message.resource_id
    : typeof data.resource_id === 'string' ? data.resource_id : null;
  if (kind.startsWith('reservation')) out.push(['reservations-changed', { source: 'live' }]);
  // Waitlist and approvals (issue 10): my entries and offers; my requests and my queue.
  if (kind.startsWith('waitlist.')) out.push(['waitlist-changed', { source: 'live' }]);
  if (kind.startsWith('approval.')) out.push(['approvals-changed', { source: 'live' }]);
  if (resourceId) out.push(['resource-activity', { resourceId, message }]);
  if (kind.startsWith('resource') || (resourceId && RESOURCE_ITSELF.test(kind))) {
    out.push(['resources-changed', resourceId ? { resourceId } : {}]);
  }
  if (note) out.push(['notification', note]);
  return out;
}
