// The timeline's busy blocks come from one batch request per 200 resources
// (`GET /api/v1/resources/schedules`) instead of one request per row. Pure helpers here; the
// fetching lives in calendar/data.ts.
import type { Schemas } from '../api/client';
import type { ScheduleBlock } from '../api/resources';

/** The API's bound on one batch (ids per request). */
export const BATCH_MAX = 200;

export type SchedulesAnswer = Schemas['SchedulesOut'];

/** `items` cut into runs of at most `size`, in order. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  if (size < 1) throw new RangeError('size must be positive');
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * One resource's blocks out of a batch answer: `null` when the batch did not cover it fully
 * (more blocks than the cap: the caller reads that resource's own paged schedule instead);
 * a resource the answer lists as missing (deleted meanwhile) has no blocks.
 */
export function blocksOf(answer: SchedulesAnswer, resourceId: string): ScheduleBlock[] | null {
  const found = answer.schedules.find((s) => s.resource_id === resourceId);
  if (!found) return answer.missing.includes(resourceId) ? [] : null;
  return found.complete ? found.blocks : null;
}
