// My webhooks (any signed-in user owns their own; guests may only read), their delivery log,
// and the admin's SSRF allow-list for private destinations.
import type { Api, BodyOf, Schemas } from './client';

export type Webhook = Schemas['WebhookOut'];
export type WebhookWithSecret = Schemas['WebhookWithSecret'];
export type Delivery = Schemas['DeliveryOut'];
export type DeliveryDetail = Schemas['DeliveryDetail'];
export type EventType = Schemas['EventTypeOut'];
export type AllowEntry = Schemas['AllowEntryOut'];

const one = (id: string) => ({ params: { webhook_id: id } });
const delivery = (id: string, deliveryId: string) => ({ params: { webhook_id: id, delivery_id: deliveryId } });

export const eventTypes = (api: Api) => api.call('get', '/api/v1/webhooks/events', {});
export const list = (api: Api, query: { limit: number; cursor?: string | null }) => api.call('get', '/api/v1/webhooks', { query });
export const create = (api: Api, body: BodyOf<'/api/v1/webhooks', 'post'>) => api.call('post', '/api/v1/webhooks', { body });
export const update = (api: Api, id: string, body: BodyOf<'/api/v1/webhooks/{webhook_id}', 'patch'>) =>
  api.call('patch', '/api/v1/webhooks/{webhook_id}', { ...one(id), body });
export const remove = (api: Api, id: string) => api.call('delete', '/api/v1/webhooks/{webhook_id}', one(id));
export const rotateSecret = (api: Api, id: string) => api.call('post', '/api/v1/webhooks/{webhook_id}/rotate-secret', one(id));
export const test = (api: Api, id: string) => api.call('post', '/api/v1/webhooks/{webhook_id}/test', one(id));
export const deliveries = (api: Api, id: string, query: { limit: number; cursor?: string | null }) =>
  api.call('get', '/api/v1/webhooks/{webhook_id}/deliveries', { ...one(id), query });
export const deliveryDetail = (api: Api, id: string, deliveryId: string) =>
  api.call('get', '/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}', delivery(id, deliveryId));
export const redeliver = (api: Api, id: string, deliveryId: string) =>
  api.call('post', '/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver', delivery(id, deliveryId));

export const allowList = (api: Api) => api.call('get', '/api/v1/admin/webhook-allowlist', {});
export const allow = (api: Api, body: BodyOf<'/api/v1/admin/webhook-allowlist', 'post'>) =>
  api.call('post', '/api/v1/admin/webhook-allowlist', { body });
export const disallow = (api: Api, entryId: string) =>
  api.call('delete', '/api/v1/admin/webhook-allowlist/{entry_id}', { params: { entry_id: entryId } });
