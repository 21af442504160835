// The what-if check of a booking and Plan B alternatives (issue 13; docs/quotas.md).
import type { Api, BodyOf, Schemas } from './client';

export type CheckResult = Schemas['CheckOut'];
export type CheckBody = BodyOf<'/api/v1/reservations/check', 'post'>;

/** One failed rule of a refusal (details.violations) or of a check. */
export interface Violation { rule?: string; code?: string; message?: string }

/** A Plan B alternative: `request` is a booking body to send as it is. */
export interface Alternative {
  kind: 'earlier' | 'later' | 'other_resource';
  resource_id: string;
  resource_name: string;
  start_time: string;
  end_time: string;
  request: { resource_id: string; start_time: string; end_time: string; notes?: string };
}

export const check = (api: Api, body: CheckBody) => api.call('post', '/api/v1/reservations/check', { body });

/** The violations and alternatives of a refusal's details (or of a check result). */
export function denialOf(details: unknown): { violations: Violation[]; alternatives: Alternative[] } {
  if (!details || typeof details !== 'object') return { violations: [], alternatives: [] };
  const { violations, alternatives } = details as { violations?: unknown; alternatives?: unknown };
  return {
    violations: Array.isArray(violations) ? (violations as Violation[]) : [],
    alternatives: Array.isArray(alternatives) ? (alternatives as Alternative[]) : [],
  };
}
