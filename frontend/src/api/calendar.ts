// Calendar feeds (issue 12): my subscription URL, regenerating it, a reservation's .ics and its
// "add to Google / Outlook" links.
import type { Api, Schemas } from './client';

export type Subscription = Schemas['SubscriptionOut'];
export type CalendarLinks = Schemas['CalendarLinksOut'];

export const subscriptionUrl = (api: Api) => api.call('get', '/api/v1/calendar/subscription-url');
export const regenerate = (api: Api) => api.call('post', '/api/v1/calendar/regenerate-token');
export const links = (api: Api, reservationId: string) =>
  api.call('get', '/api/v1/calendar/links/{reservation_id}', { params: { reservation_id: reservationId } });
/** The reservation as iCalendar text (the route answers text/calendar, not JSON). */
export const exportIcs = (api: Api, reservationId: string) =>
  api.request('GET', '/api/v1/calendar/export/{reservation_id}', { params: { reservation_id: `${reservationId}.ics` } }) as Promise<string>;
