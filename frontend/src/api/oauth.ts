// OAuth2 clients (admins): register (secret shown once), list, delete; custom roles for a client.
import type { Api, Schemas } from './client';

export type OAuthClient = Schemas['ClientOut'];
export type OAuthClientCreated = Schemas['ClientCreated'];
/** The scopes the API knows (chalicelib/domain/principal.py ALL_SCOPES). */
export const SCOPES = ['resources:read', 'resources:write', 'reservations:read', 'reservations:write', 'admin'] as const;

export const list = (api: Api, query: { limit: number; cursor?: string | null }) => api.call('get', '/api/v1/oauth/clients', { query });
export type OAuthClientCreate = Schemas['ClientCreate'];
export const create = (api: Api, body: OAuthClientCreate) => api.call('post', '/api/v1/oauth/clients', { body });
/** Give / take a custom role (docs/roles.md); the answer is the client's roles and scopes now. */
export const giveRole = (api: Api, clientId: string, role: string) =>
  api.call('post', '/api/v1/roles/assign-client', { body: { client_id: clientId, role } });
export const takeRole = (api: Api, clientId: string, role: string) =>
  api.call('delete', '/api/v1/roles/assign-client', { body: { client_id: clientId, role } });
export const remove = (api: Api, clientId: string) =>
  api.call('delete', '/api/v1/oauth/clients/{client_id}', { params: { client_id: clientId } });

// OAuth2 authorization code flow (issue 14): the consent screen's question and answer.
export type ConsentRequest = Schemas['ConsentOut'];
export type AuthorizeQuery = Schemas['AuthorizeQuery'];
export const consentRequest = (api: Api, query: AuthorizeQuery) => api.call('get', '/api/v1/oauth/consent', { query });
export const decide = (api: Api, request: AuthorizeQuery, approve: boolean) =>
  api.call('post', '/api/v1/oauth/consent', { body: { request, approve } });
