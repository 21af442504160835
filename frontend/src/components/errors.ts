// Every failure is shown in words: an alert region per form or list, filled with the API's
// message and code, the conflicting windows of a 409 and the fields of a 422.
import { ApiError } from '../api/client';
import { formatRange } from '../lib/time';
import { clear, h } from './dom';

interface Window { start_time: string; end_time: string }
interface Conflict extends Window { reservation_id?: string | null }
interface Alternative extends Window { resource_name?: string }
interface Occurrence extends Window { occurrence?: number; conflicts?: Conflict[]; message?: string; code?: string; alternatives?: Alternative[] }

/** An always-present live region where errors appear (role="alert" announces them). */
export function errorBox(): HTMLDivElement {
  return h('div', { class: 'error-box', role: 'alert', hidden: true });
}

export function clearError(box: HTMLElement): void {
  clear(box).hidden = true;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || String(error);
  return String(error);
}

/** Show an ApiError (message + code, plus conflicts or field errors) or any Error in `box`. */
export function showError(box: HTMLElement, error: unknown): void {
  clear(box);
  const code = error instanceof ApiError && error.code ? ` (${error.code})` : '';
  box.append(h('p', { class: 'error-message' }, h('strong', { text: messageOf(error) }), code));
  const wait = error instanceof ApiError ? retryText(error) : null;
  if (wait) box.append(h('p', { class: 'error-retry', text: wait }));
  const details = error instanceof ApiError ? error.details : null;
  box.append(...detailNodes(details));
  box.hidden = false;
}

/** A 429 (rate limit or too many attempts) in words: how long to wait, not a raw header. */
export function retryText(error: ApiError): string | null {
  const seconds = Number(error.retryAfter);
  if (error.status !== 429 || !Number.isFinite(seconds) || seconds <= 0) return null;
  const wait = seconds < 90 ? `${Math.ceil(seconds)} seconds` : `${Math.ceil(seconds / 60)} minutes`;
  return `Too many requests for now: please wait ${wait} and try again.`;
}

function detailNodes(details: unknown): HTMLElement[] {
  if (!details) return [];
  if (Array.isArray(details)) return details.length ? [h('ul', {}, details.map(detailItem))] : [];
  if (typeof details !== 'object') return [];
  const { occurrences, conflicts, errors } = details as { occurrences?: Occurrence[]; conflicts?: Conflict[]; errors?: unknown[] };
  if (Array.isArray(occurrences) && occurrences.length) {
    return [h('p', { text: 'These occurrences of the series cannot be booked:' }),
      h('ul', { class: 'occurrences' }, occurrences.map(occurrenceItem))];
  }
  if (Array.isArray(conflicts) && conflicts.length) {
    return [h('p', { text: 'The slot overlaps with:' }),
      h('ul', { class: 'conflicts' }, conflicts.map((c) => h('li', { text: conflictText(c) })))];
  }
  if (Array.isArray(errors)) return [h('ul', {}, errors.map(detailItem))];
  // Composite parts refused (issue 14, 422 invalid_parts): each reason in words.
  const { problems } = details as { problems?: Array<{ reason?: string }> };
  if (Array.isArray(problems)) return [h('ul', { class: 'problems' }, problems.map((p) => h('li', { text: p.reason ?? '' })))];
  return [];
}

/** One failing occurrence of a series: taken (with what it overlaps) or against a rule. */
function occurrenceItem(occurrence: Occurrence): HTMLLIElement {
  const number = Number.isInteger(occurrence.occurrence) ? `#${(occurrence.occurrence ?? 0) + 1} ` : '';
  const window = number + formatRange(occurrence.start_time, occurrence.end_time);
  const why = Array.isArray(occurrence.conflicts) && occurrence.conflicts.length
    ? `: overlaps ${occurrence.conflicts.map(conflictText).join(', ')}`
    : (occurrence.message ? `: ${occurrence.message}` : '') + (occurrence.code ? ` (${occurrence.code})` : '');
  // Plan B per occurrence (issue 13): free windows nearby or other resources, in words.
  const alternatives = occurrence.alternatives ?? [];
  return h('li', { text: window + why },
    alternatives.length ? h('ul', { class: 'alternatives', 'aria-label': 'Free instead' },
      alternatives.map((a) => h('li', { text: `Free instead: ${formatRange(a.start_time, a.end_time)}${a.resource_name ? ` on ${a.resource_name}` : ''}` }))) : null);
}

export function conflictText(conflict: Conflict): string {
  const own = conflict.reservation_id ? ` (your reservation ${conflict.reservation_id})` : '';
  return formatRange(conflict.start_time, conflict.end_time) + own;
}

function detailItem(item: unknown): HTMLLIElement {
  if (item && typeof item === 'object') {
    const d = item as { field?: string; row?: number; message?: string; msg?: string; errors?: string[] };
    const column = d.field ? ` (${d.field})` : '';
    const where = d.row ? `row ${d.row}${column}` : d.field ?? '';
    const what = d.message ?? d.msg ?? (Array.isArray(d.errors) ? d.errors.join('; ') : JSON.stringify(item));
    return h('li', { text: where ? `${where}: ${what}` : what });
  }
  return h('li', { text: String(item) });
}

/**
 * Run `handler()` on submit: default prevented, submit buttons disabled while it runs, any
 * error shown in `box`.
 */
export function onSubmit(form: HTMLFormElement, box: HTMLElement, handler: () => Promise<void> | void): HTMLFormElement {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearError(box);
    const buttons = [...form.querySelectorAll<HTMLButtonElement>('button[type="submit"]')];
    buttons.forEach((b) => { b.disabled = true; });
    form.setAttribute('aria-busy', 'true');
    try {
      await handler();
    } catch (error) {
      showError(box, error);
      if (!(error instanceof ApiError)) console.warn(error);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
      form.removeAttribute('aria-busy');
    }
  });
  return form;
}

/** Run an async action from a button, showing errors in `box`. */
export async function guarded<T>(box: HTMLElement, action: () => Promise<T>): Promise<T | undefined> {
  clearError(box);
  try {
    return await action();
  } catch (error) {
    showError(box, error);
    return undefined;
  }
}
