// Approvals (issue 10): my queue as an approver, my requests, respond (one, or a whole series),
// withdraw, and a resource's chain (admins).
import type { Api, BodyOf, Schemas } from './client';

export type Request = Schemas['ApprovalOut'];
export type Decision = 'approve' | 'reject';
export type Chain = Schemas['ChainOut'];
export type ChainIn = BodyOf<'/api/v1/approvals/resources/{resource_id}/chain', 'put'>;

export const pending = (api: Api, query: { limit: number; cursor?: string | null }) =>
  api.call('get', '/api/v1/approvals/pending', { query });
export const mine = (api: Api, query: { limit: number; cursor?: string | null }) =>
  api.call('get', '/api/v1/approvals/my-requests', { query });
export const respond = (api: Api, id: string, decision: Decision, message: string, step?: number) =>
  api.call('post', '/api/v1/approvals/{request_id}/respond', { params: { request_id: id }, body: { decision, message, step } });
export const respondSeries = (api: Api, seriesId: string, decision: Decision, message: string) =>
  api.call('post', '/api/v1/approvals/series/{series_id}/respond', { params: { series_id: seriesId }, body: { decision, message } });
export const withdraw = (api: Api, id: string, reason: string) =>
  api.call('post', '/api/v1/approvals/{request_id}/withdraw', { params: { request_id: id }, body: { reason } });
export const chain = (api: Api, resourceId: string) =>
  api.call('get', '/api/v1/approvals/resources/{resource_id}/chain', { params: { resource_id: resourceId } });
export const setChain = (api: Api, resourceId: string, body: ChainIn) =>
  api.call('put', '/api/v1/approvals/resources/{resource_id}/chain', { params: { resource_id: resourceId }, body });
