// Opening hours, blackout dates and maintenance (per resource and global).
import type { Api, BodyOf, Schemas } from './client';

export type Hours = Schemas['HoursOut'];
export type Days = NonNullable<BodyOf<'/api/v1/business-hours/default', 'put'>['days']>;
export type Blackout = Schemas['BlackoutOut'];
export type BlackoutIn = BodyOf<'/api/v1/blackouts', 'post'>;

const rid = (id: string) => ({ resource_id: id });

export const resourceHours = (api: Api, id: string) =>
  api.call('get', '/api/v1/resources/{resource_id}/business-hours', { params: rid(id) });
export const setResourceHours = (api: Api, id: string, days: Days | null) =>
  api.call('put', '/api/v1/resources/{resource_id}/business-hours', { params: rid(id), body: { days } });
export const defaultHours = (api: Api) => api.call('get', '/api/v1/business-hours/default');
export const setDefaultHours = (api: Api, days: Days | null) => api.call('put', '/api/v1/business-hours/default', { body: { days } });

export const resourceBlackouts = (api: Api, id: string, range: { from?: string; to?: string } = {}) =>
  api.call('get', '/api/v1/resources/{resource_id}/blackouts', { params: rid(id), query: range });
export const addResourceBlackout = (api: Api, id: string, body: BlackoutIn) =>
  api.call('post', '/api/v1/resources/{resource_id}/blackouts', { params: rid(id), body });
export const removeResourceBlackout = (api: Api, id: string, blackoutId: string) =>
  api.call('delete', '/api/v1/resources/{resource_id}/blackouts/{blackout_id}', { params: { resource_id: id, blackout_id: blackoutId } });
export const globalBlackouts = (api: Api, range: { from?: string; to?: string } = {}) =>
  api.call('get', '/api/v1/blackouts', { query: range });
export const addGlobalBlackout = (api: Api, body: BlackoutIn) => api.call('post', '/api/v1/blackouts', { body });
export const removeGlobalBlackout = (api: Api, blackoutId: string) =>
  api.call('delete', '/api/v1/blackouts/{blackout_id}', { params: { blackout_id: blackoutId } });

export const status = (api: Api, id: string) => api.call('get', '/api/v1/resources/{resource_id}/status', { params: rid(id) });
export const startMaintenance = (api: Api, id: string, body: BodyOf<'/api/v1/resources/{resource_id}/status/unavailable', 'put'>) =>
  api.call('put', '/api/v1/resources/{resource_id}/status/unavailable', { params: rid(id), body });
// The endpoint takes no body; `{}` keeps the request JSON like every other write.
export const endMaintenance = (api: Api, id: string) =>
  api.request('PUT', '/api/v1/resources/{resource_id}/status/available', { params: rid(id), body: {} }) as Promise<Schemas['StatusOut']>;
