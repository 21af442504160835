// Composite resources (issue 14): a resource's parts and the composites it belongs to.
import type { Api, Schemas } from './client';

export type Parts = Schemas['PartsOut'];

export const parts = (api: Api, id: string) =>
  api.call('get', '/api/v1/resources/{resource_id}/parts', { params: { resource_id: id } });
export const setParts = (api: Api, id: string, ids: string[]) =>
  api.call('put', '/api/v1/resources/{resource_id}/parts', { params: { resource_id: id }, body: { parts: ids } });
