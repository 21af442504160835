// The waitlist (issue 10): join (exact or flexible), my entries, accept / decline an offer, leave.
import type { Api, BodyOf, Schemas } from './client';

export type Entry = Schemas['EntryOut'];
export type Join = BodyOf<'/api/v1/waitlist', 'post'>;

export const join = (api: Api, body: Join) => api.call('post', '/api/v1/waitlist', { body });
export const mine = (api: Api, query: { limit: number; cursor?: string | null }) =>
  api.call('get', '/api/v1/waitlist', { query });
export const leave = (api: Api, id: string) =>
  api.call('delete', '/api/v1/waitlist/{entry_id}', { params: { entry_id: id } });
export const accept = (api: Api, id: string) =>
  api.call('post', '/api/v1/waitlist/{entry_id}/accept', { params: { entry_id: id } });
export const decline = (api: Api, id: string) =>
  api.call('post', '/api/v1/waitlist/{entry_id}/decline', { params: { entry_id: id } });
