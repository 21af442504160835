// My notifications.
import type { Api, Schemas } from './client';

export type Notification = Schemas['NotificationOut'];

export const list = (api: Api, query: { limit: number; cursor?: string | null; unread_only?: boolean }) =>
  api.call('get', '/api/v1/notifications', { query });
export const markRead = (api: Api, id: string) =>
  api.call('post', '/api/v1/notifications/{notification_id}/read', { params: { notification_id: id } });
export const markAllRead = (api: Api) => api.call('post', '/api/v1/notifications/read-all', {});
export const unreadCount = async (api: Api): Promise<number> => (await list(api, { limit: 1, unread_only: true })).unread_count ?? 0;
