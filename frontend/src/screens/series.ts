// Recurring series: the "Repeat" section of the Reserve dialog, booking a series with a
// conflict policy, and cancelling occurrences (this one / this and following / the series).
//
// The conflict policy goes to the API: `skip_conflicts` books the free occurrences and lists
// the taken ones in `skipped`; `all_or_nothing` answers 409 naming every taken occurrence.
import { ApiError, type Api, type BodyOf } from '../api/client';
import * as reservations from '../api/reservations';
import { badge } from '../components/badge';
import { openDialog, toast } from '../components/dialog';
import { checkbox, field, h, radio } from '../components/dom';
import { errorBox, onSubmit } from '../components/errors';
import { formatRange } from '../lib/time';
import type { Session } from '../state';

type Recurrence = NonNullable<reservations.NewSeries['recurrence']>;
type Policy = 'all_or_nothing' | 'skip_conflicts';
interface Skipped { start_time: string; end_time: string }

// days_of_week counts 0 = Monday ... 6 = Sunday, like the API.
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const FREQUENCIES = [['', 'Does not repeat'], ['daily', 'Daily'], ['weekly', 'Weekly'], ['monthly', 'Monthly']] as const;
const UNITS: Record<string, string> = { daily: 'day(s)', weekly: 'week(s)', monthly: 'month(s)' };

/** Monday-based weekday of a datetime-local value (JS getDay() starts on Sunday). */
function weekdayOf(localValue: string): number | null {
  const date = new Date(localValue);
  return Number.isNaN(date.getTime()) ? null : (date.getDay() + 6) % 7;
}

function positive(value: string, what: string, max: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > max) throw new Error(`${what} must be a whole number from 1 to ${max}.`);
  return number;
}

/**
 * The Repeat section. read() gives null for a one-off booking, else {recurrence, policy} in
 * the API's simple form, or throws an Error for bad input.
 */
export function repeatSection(startInput: HTMLInputElement): { element: HTMLElement; read(): { recurrence: Recurrence; policy: Policy } | null } {
  const frequency = h('select', { name: 'repeat' }, FREQUENCIES.map(([value, text]) => h('option', { value, text })));
  const interval = h('input', { type: 'number', name: 'interval', min: '1', max: '365', value: '1', inputmode: 'numeric' });
  const unit = h('span', { class: 'hint', text: '' });
  const dayBoxes = WEEKDAYS.map((_, index) => h('input', { type: 'checkbox', name: 'days_of_week', value: String(index) }));
  const days = h('fieldset', { class: 'weekdays row' }, h('legend', { text: 'On' }),
    dayBoxes.map((box, index) => checkbox(WEEKDAYS[index], box)));
  const ends = h('select', { name: 'ends' },
    h('option', { value: 'count', text: 'After a number of occurrences' }),
    h('option', { value: 'until', text: 'On a date' }));
  const count = h('input', { type: 'number', name: 'count', min: '1', max: '100', value: '4', inputmode: 'numeric' });
  const until = h('input', { type: 'date', name: 'until' });
  const countField = field('Occurrences', count, 'At most 100, the first one included.');
  const untilField = field('Last date', until, "Inclusive, in the resource's time zone.");
  const allOrNothing = radio('conflict_policy', 'all_or_nothing', 'Book nothing if any occurrence is taken', true);
  const skip = radio('conflict_policy', 'skip_conflicts', 'Skip the taken occurrences, book the rest');
  const policy = h('fieldset', {}, h('legend', { text: 'If some occurrences are already taken' }), allOrNothing.element, skip.element);
  const details = h('div', { class: 'stack repeat-details', hidden: true },
    h('div', { class: 'row' }, field('Every', interval, unit), field('Stops', ends)),
    days, countField, untilField, policy);

  function sync(): void {
    const chosen = frequency.value;
    details.hidden = !chosen;
    unit.textContent = UNITS[chosen] ?? '';
    days.hidden = chosen !== 'weekly';
    countField.hidden = ends.value !== 'count';
    untilField.hidden = ends.value !== 'until';
    if (chosen === 'weekly' && !dayBoxes.some((box) => box.checked)) {
      const weekday = weekdayOf(startInput.value);
      if (weekday !== null) dayBoxes[weekday].checked = true;
    }
    if (!until.value && startInput.value) until.value = startInput.value.slice(0, 10);
  }
  frequency.addEventListener('change', sync);
  ends.addEventListener('change', sync);

  return {
    element: h('fieldset', { class: 'repeat' }, h('legend', { text: 'Repeat' }), field('Repeats', frequency), details),
    read() {
      if (!frequency.value) return null;
      const recurrence: Recurrence = {
        frequency: frequency.value as Recurrence['frequency'],
        interval: positive(interval.value, 'The interval', 365),
      };
      if (frequency.value === 'weekly') {
        const chosen = dayBoxes.filter((box) => box.checked).map((box) => Number(box.value));
        if (chosen.length) recurrence.days_of_week = chosen;
      }
      if (ends.value === 'count') recurrence.end = { count: positive(count.value, 'The number of occurrences', 100) };
      else if (until.value) recurrence.end = { until: until.value };
      else throw new Error('Choose the last date of the series.');
      return { recurrence, policy: skip.input.checked ? 'skip_conflicts' : 'all_or_nothing' };
    },
  };
}

/**
 * POST the series with its conflict policy. The Idempotency-Key is kept after a network
 * failure (a retry of the same request), renewed once the server has answered.
 */
export async function bookSeries(api: Api, body: reservations.NewSeries, policy: Policy, key: reservations.IdempotencyKey): Promise<{ series: reservations.Series; skipped: Skipped[] }> {
  let series;
  try {
    series = await reservations.bookSeriesRequest(api, { ...body, conflict_policy: policy }, key.current);
  } catch (error) {
    if (error instanceof ApiError && error.status) key.renew();
    throw error;
  }
  key.renew();
  return { series, skipped: (series.skipped ?? []) as unknown as Skipped[] };
}

/** What a series booking did, shown in place of the form when occurrences were skipped. */
export function seriesResult(series: reservations.Series, skipped: Skipped[], onClose: () => void): HTMLElement {
  const booked = series.occurrences.length;
  return h('div', { class: 'stack series-result', role: 'status' },
    h('p', {}, h('strong', { text: `Booked ${booked} of ${booked + skipped.length} occurrences.` })),
    skipped.length ? h('p', { text: 'Skipped because they were already taken:' }) : null,
    h('ul', { class: 'skipped' }, skipped.map((o) => h('li', { text: formatRange(o.start_time, o.end_time) }))),
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button primary', text: 'Done', onclick: onClose })));
}

/** A reservation's "series" badge (nothing for a one-off booking). */
export function seriesBadge(reservation: reservations.Reservation): HTMLElement | null {
  return reservation.series_id ? badge('series', 'info') : null;
}

type Scope = 'one' | 'following' | 'series';
const SCOPES: [Scope, string][] = [
  ['one', 'This occurrence only'],
  ['following', 'This and the following occurrences'],
  ['series', 'The whole series'],
];
const DONE: Record<Scope, string> = {
  one: 'Occurrence cancelled.',
  following: 'This and the following occurrences are cancelled.',
  series: 'Series cancelled.',
};

async function cancelScope(api: Api, reservation: reservations.Reservation, scope: Scope, reason: string): Promise<void> {
  const seriesId = reservation.series_id ?? '';
  if (scope === 'following') {
    const body: BodyOf<'/api/v1/series/{series_id}/cancel', 'post'> = { scope: 'following', from_reservation_id: reservation.reservation_id, reason };
    await reservations.cancelSeries(api, seriesId, body);
  } else if (scope === 'series') {
    // "Whole series" cancels what has not started yet: an occurrence that already took place
    // stays in the record as it happened (the API's scope `future`).
    await reservations.cancelSeries(api, seriesId, { scope: 'future', reason });
  } else {
    await reservations.cancel(api, reservation.reservation_id, reason);
  }
}

/** Cancel an occurrence of a series: this one, this and the following ones, or all. */
export function openSeriesCancel(session: Session, reservation: reservations.Reservation, name: string): void {
  const choices = SCOPES.map(([value, text], index) => radio('scope', value, text, index === 0));
  const reason = h('textarea', { name: 'reason', rows: '2', maxlength: '500', required: true });
  const box = errorBox();
  const form = h('form', { class: 'stack', 'aria-label': 'Cancel occurrence' },
    h('p', { text: `${name}: ${formatRange(reservation.start_time, reservation.end_time)}` }),
    h('fieldset', {}, h('legend', { text: 'Cancel' }), choices.map((choice) => choice.element),
      h('p', { class: 'hint', text: 'The whole series keeps the occurrences that have already started.' })),
    field('Reason', reason, 'Shown in the reservation history.'),
    box,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button danger', text: 'Confirm cancellation' }),
      h('button', { type: 'button', class: 'button', text: 'Keep it', onclick: () => dialog.close() })));
  onSubmit(form, box, async () => {
    const scope = (choices.find((choice) => choice.input.checked)?.input.value ?? 'one') as Scope;
    await cancelScope(session.api, reservation, scope, reason.value.trim());
    dialog.close();
    toast(DONE[scope]);
    session.events.emit('reservations-changed', { source: 'local' });
  });
  const dialog = openDialog('Cancel occurrence', form);
  reason.focus();
}
