// Reservation search (issue 14): admins search everyone's, users their own
// (docs/reservation-search.md).
import type { Api, QueryOf } from './client';

export type SearchQuery = QueryOf<'/api/v1/search/reservations', 'get'>;

export const search = (api: Api, query: SearchQuery) => api.call('get', '/api/v1/search/reservations', { query });
