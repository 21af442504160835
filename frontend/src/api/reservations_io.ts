// Reservations CSV import and export (issue 14): POST /api/v1/bulk/reservations/import
// (all or nothing, `dry_run`) and GET /api/v1/bulk/reservations/export (paged CSV: the cursor
// of the next page is the X-Next-Cursor header, which the typed client does not expose, so the
// export pages are fetched here with the session's token).
import { ApiError, type Api, type Schemas } from './client';

export type ImportAnswer = Schemas['ReservationImportOut'];
export type ImportProblem = Schemas['ReservationImportErrorOut'];
export type ImportRow = Schemas['ReservationImportRowOut'];

const IMPORT = '/api/v1/bulk/reservations/import';
const EXPORT = '/api/v1/bulk/reservations/export';
const PAGE = 1000;

export const importCsv = (api: Api, csv: string, dryRun: boolean) =>
  api.request('POST', IMPORT, { body: csv, contentType: 'text/csv', query: { dry_run: dryRun } }) as Promise<ImportAnswer>;

/** The problems of a refused import (422 `import_rejected`), else none. */
export function problemsOf(error: unknown): ImportProblem[] {
  if (!(error instanceof ApiError) || !error.details || typeof error.details !== 'object') return [];
  const errors = (error.details as { errors?: unknown }).errors;
  return Array.isArray(errors) ? (errors as ImportProblem[]) : [];
}

interface Page { text: string; next: string | null }
type ExportQuery = { from?: string; to?: string };

async function page(api: Api, query: ExportQuery, cursor: string | null, retry = true): Promise<Page> {
  const token = await api.currentAccessToken();
  const url = api.url(EXPORT, { ...query, limit: PAGE, cursor: cursor ?? undefined });
  const response = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (response.ok) return { text: await response.text(), next: response.headers.get('X-Next-Cursor') };
  // The typed client reads the JSON error into an ApiError (and refreshes an expired token);
  // if that request passes, the page is asked for once more.
  await api.request('GET', EXPORT, { query: { ...query, limit: 1, cursor: cursor ?? undefined } });
  if (!retry) throw new ApiError(response.status, 'http_error', `The export failed (HTTP ${response.status}).`);
  return page(api, query, cursor, false);
}

/** Every page of my (admins: everyone's) reservations as one CSV text; the first page has the
 * header, the others only rows. `onPage(pages so far)` reports progress. */
export async function exportCsv(api: Api, query: ExportQuery, onPage: (pages: number) => void): Promise<string> {
  const parts: string[] = [];
  let cursor: string | null = null;
  do {
    const next: Page = await page(api, query, cursor);
    parts.push(next.text);
    cursor = next.next;
    onPage(parts.length);
  } while (cursor);
  return parts.join('');
}
