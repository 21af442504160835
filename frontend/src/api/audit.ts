// The audit log (admins): filtered pages, one entity's history, exports.
import type { Api, QueryOf, Schemas } from './client';

export type AuditEntry = Schemas['AuditEntryOut'];
export type AuditQuery = QueryOf<'/api/v1/audit/logs', 'get'>;
export type AuditFilters = QueryOf<'/api/v1/audit/export/csv', 'get'>;

export const logs = (api: Api, query: AuditQuery) => api.call('get', '/api/v1/audit/logs', { query });
export const entityHistory = (api: Api, entityType: string, entityId: string, query: { limit: number; cursor?: string | null }) =>
  api.call('get', '/api/v1/audit/entity/{entity_type}/{entity_id}', { params: { entity_type: entityType, entity_id: entityId }, query });

/** The export's text as the API sends it (CSV, or JSON re-serialised for the file). */
export async function exportText(api: Api, format: 'csv' | 'json', filters: AuditFilters): Promise<string> {
  const body = await api.request('GET', `/api/v1/audit/export/${format}`, { query: filters });
  return typeof body === 'string' ? body : JSON.stringify(body, null, 2);
}

// Statistics over UTC days and the filter values seen (issue 14, docs/audit-statistics.md).
export type AuditStats = Schemas['AuditStatsOut'];
export type AuditFilterValues = Schemas['AuditFilterValuesOut'];
export const statistics = (api: Api, query: QueryOf<'/api/v1/audit/statistics', 'get'>) =>
  api.call('get', '/api/v1/audit/statistics', { query });
export const filterValues = (api: Api) => api.call('get', '/api/v1/audit/filters', {});
