// Locations (resource groups), labels and saved searches (catalog14).
import type { Api, BodyOf, Schemas } from './client';

export type Group = Schemas['GroupOut'];
export type GroupNode = Schemas['GroupNodeOut'];
export type Label = Schemas['LabelOut'];
export type SavedSearch = Schemas['SavedSearchOut'];
export type GroupCreateBody = BodyOf<'/api/v1/resource-groups', 'post'>;

export const tree = (api: Api) => api.call('get', '/api/v1/resource-groups/tree');
export const createGroup = (api: Api, body: BodyOf<'/api/v1/resource-groups', 'post'>) =>
  api.call('post', '/api/v1/resource-groups', { body });
export const patchGroup = (api: Api, id: string, body: BodyOf<'/api/v1/resource-groups/{group_id}', 'patch'>) =>
  api.call('patch', '/api/v1/resource-groups/{group_id}', { params: { group_id: id }, body });
export const deleteGroup = (api: Api, id: string) =>
  api.call('delete', '/api/v1/resource-groups/{group_id}', { params: { group_id: id } });

export const labels = (api: Api) => api.call('get', '/api/v1/labels', { query: {} });

export const savedSearches = (api: Api) => api.call('get', '/api/v1/search/saved');
export const saveSearch = (api: Api, body: BodyOf<'/api/v1/search/saved', 'post'>) =>
  api.call('post', '/api/v1/search/saved', { body });
export const deleteSearch = (api: Api, id: string) =>
  api.call('delete', '/api/v1/search/saved/{search_id}', { params: { search_id: id } });
