// My reservations, booking (one, a series), reschedule, cancel, history.
import { idempotencyKey, type Api, type BodyOf, type QueryOf, type Schemas } from './client';

export type Reservation = Schemas['ReservationOut'];
export type MyQuery = QueryOf<'/api/v1/reservations/my', 'get'>;
export type NewReservation = BodyOf<'/api/v1/reservations', 'post'>;
export type NewSeries = BodyOf<'/api/v1/reservations/recurring', 'post'>;
export type Series = Schemas['SeriesOut'];

export const mine = (api: Api, query: MyQuery) => api.call('get', '/api/v1/reservations/my', { query });
export const book = (api: Api, body: NewReservation, key: string) =>
  api.call('post', '/api/v1/reservations', { body, headers: { 'Idempotency-Key': key } });
export const bookSeriesRequest = (api: Api, body: NewSeries, key: string) =>
  api.call('post', '/api/v1/reservations/recurring', { body, headers: { 'Idempotency-Key': key } });
export const reschedule = (api: Api, id: string, body: BodyOf<'/api/v1/reservations/{reservation_id}', 'patch'>) =>
  api.call('patch', '/api/v1/reservations/{reservation_id}', { params: { reservation_id: id }, body });
export const cancel = (api: Api, id: string, reason: string) =>
  api.call('post', '/api/v1/reservations/{reservation_id}/cancel', { params: { reservation_id: id }, body: { reason } });
export const cancelSeries = (api: Api, seriesId: string, body: BodyOf<'/api/v1/series/{series_id}/cancel', 'post'>) =>
  api.call('post', '/api/v1/series/{series_id}/cancel', { params: { series_id: seriesId }, body });
export const history = (api: Api, id: string) =>
  api.call('get', '/api/v1/reservations/{reservation_id}/history', { params: { reservation_id: id }, query: { limit: 100 } });

/**
 * One key per distinct request: a network retry of the same booking is answered with the first
 * result; once the server has answered (even with an error) a new attempt gets a new key.
 */
export class IdempotencyKey {
  current = idempotencyKey();
  /** The server answered: the next attempt is a new request. */
  renew(): void {
    this.current = idempotencyKey();
  }
}
