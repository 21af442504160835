// Check-in (issue 10): a reservation's window and signed link, checking in, and a resource's
// check-in policy (admins set it).
import type { Api, BodyOf, Schemas } from './client';

export type CheckIn = Schemas['CheckInOut'];
export type Policy = Schemas['CheckInPolicyOut'];
export type PolicyIn = BodyOf<'/api/v1/resources/{resource_id}/check-in', 'put'>;

export const state = (api: Api, reservationId: string) =>
  api.call('get', '/api/v1/reservations/{reservation_id}/check-in', { params: { reservation_id: reservationId } });
export const checkIn = (api: Api, reservationId: string) =>
  api.call('post', '/api/v1/reservations/{reservation_id}/check-in', { params: { reservation_id: reservationId } });
export const policy = (api: Api, resourceId: string) =>
  api.call('get', '/api/v1/resources/{resource_id}/check-in', { params: { resource_id: resourceId } });
export const setPolicy = (api: Api, resourceId: string, body: PolicyIn) =>
  api.call('put', '/api/v1/resources/{resource_id}/check-in', { params: { resource_id: resourceId }, body });
