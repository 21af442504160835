// Roles (roles14): built-in and custom roles (named sets of scopes), the scope catalogue.
import type { Api, Schemas } from './client';

export type RoleOut = Schemas['RoleOut'];
export type ScopeOut = Schemas['ScopeOut'];

export const list = (api: Api) => api.call('get', '/api/v1/roles');
export const scopes = (api: Api) => api.call('get', '/api/v1/roles/scopes');
export const create = (api: Api, name: string, description: string, scopeNames: string[]) =>
  api.call('post', '/api/v1/roles', { body: { name, description, scopes: scopeNames } });
export const replace = (api: Api, name: string, description: string, scopeNames: string[], version: number | null) =>
  api.call('put', '/api/v1/roles/{name}', { params: { name }, body: { description, scopes: scopeNames, version } });
export const remove = (api: Api, name: string, version: number | null) =>
  api.call('delete', '/api/v1/roles/{name}', { params: { name }, query: version ? { version } : {} });
