// Administration of accounts: users, roles, enable/disable, password reset.
import type { Api, Schemas } from './client';

export type AdminUser = Schemas['UserOut'];
export type RoleName = Schemas['Role'];

export const list = (api: Api, query: { limit: number; cursor?: string | null; q?: string }) =>
  api.call('get', '/api/v1/auth/admin/users', { query });
export const roles = (api: Api) => api.call('get', '/api/v1/roles');
export const assignRole = (api: Api, userId: string, role: string) =>
  api.call('post', '/api/v1/roles/assign', { body: { user_id: userId, role } });
export const removeRole = (api: Api, userId: string, role: string) =>
  api.request('DELETE', '/api/v1/roles/assign', { body: { user_id: userId, role } }) as Promise<AdminUser>;
export const setDisabled = (api: Api, userId: string, disabled: boolean) =>
  disabled
    ? api.call('post', '/api/v1/admin/users/{user_id}/disable', { params: { user_id: userId } })
    : api.call('post', '/api/v1/admin/users/{user_id}/enable', { params: { user_id: userId } });
export const resetPassword = (api: Api, userId: string, password: string) =>
  api.call('post', '/api/v1/auth/admin/reset-password', { body: { user_id: userId, new_password: password } });
