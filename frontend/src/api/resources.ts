// The catalogue: listing with filters, one resource, tags, and the admin's edits.
import type { Api, BodyOf, QueryOf, Schemas } from './client';

export type Resource = Schemas['ResourceOut'];
export type ResourceQuery = QueryOf<'/api/v1/resources', 'get'>;
export type ScheduleBlock = Schemas['ScheduleBlockOut'];

export const list = (api: Api, query: ResourceQuery) => api.call('get', '/api/v1/resources', { query });
export const get = (api: Api, id: string) => api.call('get', '/api/v1/resources/{resource_id}', { params: { resource_id: id } });
export const tags = (api: Api) => api.call('get', '/api/v1/resources/tags', { query: { limit: 100 } });
export const schedule = (api: Api, id: string, query: QueryOf<'/api/v1/resources/{resource_id}/schedule', 'get'>) =>
  api.call('get', '/api/v1/resources/{resource_id}/schedule', { params: { resource_id: id }, query });
/** Many resources' busy blocks over one window (at most 200 ids, 14 days): the timeline. */
export const schedules = (api: Api, ids: string[], from: string, to: string) =>
  api.call('get', '/api/v1/resources/schedules', { query: { ids, from, to } });
export const dayAvailability = (api: Api, id: string, date: string) =>
  api.call('get', '/api/v1/resources/{resource_id}/availability', { params: { resource_id: id }, query: { date } });

export const create = (api: Api, body: BodyOf<'/api/v1/resources', 'post'>) => api.call('post', '/api/v1/resources', { body });
export const patch = (api: Api, id: string, body: BodyOf<'/api/v1/resources/{resource_id}', 'patch'>) =>
  api.call('patch', '/api/v1/resources/{resource_id}', { params: { resource_id: id }, body });
export const remove = (api: Api, id: string, force: boolean) =>
  api.call('delete', '/api/v1/resources/{resource_id}', { params: { resource_id: id }, query: force ? { force: true } : {} });
export const setEnabled = (api: Api, id: string, enabled: boolean) =>
  api.call('put', '/api/v1/resources/{resource_id}/availability', { params: { resource_id: id }, body: { enabled } });
export const importCsv = (api: Api, csv: string) =>
  api.request('POST', '/api/v1/resources/upload', { body: csv, contentType: 'text/csv' }) as Promise<Schemas['ImportOut']>;

/** "North, floor 2, room 201". */
export function locationText(resource: Pick<Resource, 'location'>): string {
  const loc = resource.location ?? {};
  return [loc.building, loc.floor && `floor ${loc.floor}`, loc.room && `room ${loc.room}`].filter(Boolean).join(', ');
}
export const nextAvailable = (api: Api, id: string, durationMinutes: number) =>
  api.call('get', '/api/v1/resources/{resource_id}/next-available', { params: { resource_id: id }, query: { duration_minutes: durationMinutes } });

/** Resource names by id, fetched once each (listings carry only the id). */
export function names(api: Api): (id: string) => Promise<string> {
  const found = new Map<string, Promise<string>>();
  return (id) => {
    let name = found.get(id);
    if (!name) {
      name = get(api, id).then((r) => r.name).catch(() => `Resource ${id}`);
      found.set(id, name);
    }
    return name;
  };
}
