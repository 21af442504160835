// Analytics (issue 12): figures for a date range (admins: everyone's; others: their own).
import type { Api, Schemas } from './client';

export type Dashboard = Schemas['Dashboard'];
export type UtilisationRow = Schemas['UtilisationRow'];
export type BookedVsUsed = Schemas['BookedVsUsed'];
export type Peaks = Schemas['Peaks'];

export interface Range { from?: string; to?: string }
/** Utilisation rows per resource, tag, building or location (a location's row: its subtree). */
export type Grouping = 'resource' | 'tag' | 'building' | 'location';
export interface Filters { group?: Grouping; tag?: string; building?: string; location?: string }

export const dashboard = (api: Api, range: Range) =>
  api.call('get', '/api/v1/analytics/dashboard', { query: range });
export const utilisation = (api: Api, range: Range & Filters) =>
  api.call('get', '/api/v1/analytics/utilisation', { query: range });
export const bookedVsUsed = (api: Api, range: Range) =>
  api.call('get', '/api/v1/analytics/booked-vs-used', { query: range });
export const peaks = (api: Api, range: Range & { tz?: string }) =>
  api.call('get', '/api/v1/analytics/peaks', { query: range });
export const popular = (api: Api, range: Range & { limit?: number }) =>
  api.call('get', '/api/v1/analytics/popular', { query: range });

/** A CSV export's text (the browser then saves it as a file). */
export async function exportCsv(api: Api, what: 'utilisation' | 'reservations', range: Range & Filters): Promise<string> {
  const text = await api.request('GET', `/api/v1/analytics/export/${what}.csv`, { query: { ...range } });
  return typeof text === 'string' ? text : '';
}
