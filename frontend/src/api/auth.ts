// Setup, accounts and my profile, MFA.
import type { Api, BodyOf, Schemas } from './client';

export type User = Schemas['UserOut'];

export const setupStatus = (api: Api) => api.call('get', '/api/v1/setup/status', { auth: false });
export const initialize = (api: Api, body: BodyOf<'/api/v1/setup/initialize', 'post'>) =>
  api.call('post', '/api/v1/setup/initialize', { body, auth: false });
export const register = (api: Api, body: BodyOf<'/api/v1/register', 'post'>) =>
  api.call('post', '/api/v1/register', { body, auth: false });
export const me = (api: Api) => api.call('get', '/api/v1/users/me');
export const updateMe = (api: Api, body: BodyOf<'/api/v1/users/me', 'patch'>) => api.call('patch', '/api/v1/users/me', { body });
export const changePassword = (api: Api, body: BodyOf<'/api/v1/users/me/password', 'post'>) =>
  api.call('post', '/api/v1/users/me/password', { body });

export const mfaSetup = (api: Api) => api.call('post', '/api/v1/auth/mfa/setup', {});
export const mfaVerify = (api: Api, code: string) => api.call('post', '/api/v1/auth/mfa/verify', { body: { code } });
export const mfaDisable = (api: Api, password: string, code: string) =>
  api.call('post', '/api/v1/auth/mfa/disable', { body: { password, code } });
export const mfaBackupCodes = (api: Api, code: string) => api.call('post', '/api/v1/auth/mfa/backup-codes', { body: { code } });
