// Pure helpers of the audit log screen: the filter form -> the API's query, export names.
import { localInputToIso } from './time';

export interface AuditForm { actor: string; action: string; entityType: string; entityId: string; since: string; until: string }
export interface AuditFilterQuery { actor_id?: string; action?: string; entity_type?: string; entity_id?: string; since?: string; until?: string }

/**
 * The filters as query parameters: blanks dropped, local date-times (datetime-local values)
 * as instants with the browser's offset. An empty window or a lone entity id is refused in words.
 */
export function auditFilters(form: AuditForm): AuditFilterQuery {
  const out: AuditFilterQuery = {};
  const set = (key: keyof AuditFilterQuery, value: string): void => {
    const trimmed = value.trim();
    if (trimmed) out[key] = trimmed;
  };
  set('actor_id', form.actor);
  set('action', form.action);
  set('entity_type', form.entityType);
  set('entity_id', form.entityId);
  if (out.entity_id && !out.entity_type) throw new Error('Choose the entity type of that entity id.');
  if (form.since) out.since = localInputToIso(form.since);
  if (form.until) out.until = localInputToIso(form.until);
  if (out.since && out.until && new Date(out.until) <= new Date(out.since)) throw new Error("'Until' must be after 'since'.");
  return out;
}

/** "audit-2026-11-25T1030.csv": sortable, no characters a file system refuses. */
export function exportFileName(format: 'csv' | 'json', now: Date): string {
  const stamp = now.toISOString().slice(0, 16).replace(':', '');
  return `audit-${stamp}.${format}`;
}
