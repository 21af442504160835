// Booking dialogs: Reserve (create), Reschedule, and a resource's Schedule.
// Start/end are datetime-local inputs (browser time zone) sent as ISO 8601 with the browser's
// offset, e.g. 2026-11-24T10:00:00+01:00; the API stores UTC.
import { ApiError } from '../api/client';
import * as reservations from '../api/reservations';
import * as resources from '../api/resources';
import { badge } from '../components/badge';
import { openDialog, toast } from '../components/dialog';
import { checkbox, field, h } from '../components/dom';
import { clearError, errorBox, onSubmit, showError } from '../components/errors';
import {
  browserTimeZone, formatDay, formatRange, formatTimes, isoToLocalInput, localInputToIso, nextHourWindow, toDateInput, toLocalInput,
  type TimeWindow,
} from '../lib/time';
import type { Session } from '../state';
import { bookSeries, repeatSection, seriesResult } from './series';
import * as whatIf from '../api/what_if';
import { alternativesList, violationList, whatIfLine } from './plan_b';
import { freeSlotsSection } from './slots';
import { joinButton } from './waitlist';

type Resource = Pick<resources.Resource, 'resource_id' | 'name' | 'timezone' | 'requires_approval' | 'max_duration_minutes'>;

/** Start/end inputs; read() gives ISO strings or throws. */
export function windowFields(start: string, end: string): { elements: HTMLElement[]; read(): { start_time: string; end_time: string }; startInput: HTMLInputElement } {
  const startInput = h('input', { type: 'datetime-local', name: 'start_time', required: true, step: '60', value: start });
  const endInput = h('input', { type: 'datetime-local', name: 'end_time', required: true, step: '60', value: end });
  let previous = start;
  startInput.addEventListener('change', () => {
    // Keep the duration when the start moves, like a calendar does.
    const length = new Date(endInput.value).getTime() - new Date(previous).getTime();
    const moved = new Date(startInput.value);
    if (length > 0 && !Number.isNaN(moved.getTime())) endInput.value = toLocalInput(new Date(moved.getTime() + length));
    previous = startInput.value;
  });
  return {
    elements: [
      h('div', { class: 'row' }, field('Start', startInput), field('End', endInput)),
      h('p', { class: 'hint', text: `Times are in your browser's time zone (${browserTimeZone()}).` }),
    ],
    read() {
      const startIso = localInputToIso(startInput.value);
      const endIso = localInputToIso(endInput.value);
      if (new Date(endIso) <= new Date(startIso)) throw new Error('The end must be after the start.');
      return { start_time: startIso, end_time: endIso };
    },
    startInput,
  };
}

/** `window` pre-fills the times; default: the next hour. */
export function openReserve(session: Session, resource: Resource, window: TimeWindow | null = null): HTMLDialogElement {
  const { start, end } = window ?? nextHourWindow();
  const times = windowFields(toLocalInput(start), toLocalInput(end));
  const notes = h('textarea', { name: 'notes', rows: '2', maxlength: '1000' });
  const override = h('input', { type: 'checkbox', name: 'override' });
  const repeat = repeatSection(times.startInput);
  const box = errorBox();
  const waitOffer = h('div', { class: 'actions', hidden: true }); // a taken slot: join its waitlist
  // Issue 13: the what-if result as you type, and Plan B after a refusal.
  const planB = h('div', { class: 'plan-b-slot' });
  const forecast = whatIfLine(session, () => {
    try {
      return { resource_id: resource.resource_id, ...times.read(), ...(override.checked ? { override: true } : {}) };
    } catch {
      return null;
    }
  });
  const form = h('form', { class: 'stack', 'aria-label': `Reserve ${resource.name}` },
    ...times.elements,
    repeat.element,
    resource.timezone && resource.timezone !== browserTimeZone()
      ? h('p', { class: 'hint', text: `This resource's opening hours are in ${resource.timezone}.` }) : null,
    resource.requires_approval
      ? h('p', { class: 'notice', text: 'An approver must confirm this booking; the slot is held for you meanwhile.' }) : null,
    field('Notes (optional)', notes),
    session.me.is_admin ? checkbox('Ignore opening hours and blackouts (administrator)', override) : null,
    forecast.element,
    box,
    waitOffer,
    planB,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button primary', text: 'Reserve' }),
      h('button', { type: 'button', class: 'button', text: 'Cancel', onclick: () => dialog.close() })));
  const key = new reservations.IdempotencyKey();
  const seriesKey = new reservations.IdempotencyKey();
  onSubmit(form, box, async () => {
    waitOffer.hidden = true;
    const body: reservations.NewReservation = { resource_id: resource.resource_id, ...times.read() };
    if (notes.value.trim()) body.notes = notes.value.trim();
    if (override.checked) body.override = true;
    const repeating = repeat.read();
    if (repeating) {
      const { series, skipped } = await bookSeries(session.api, { ...body, recurrence: repeating.recurrence }, repeating.policy, seriesKey);
      session.events.emit('reservations-changed', { source: 'local', resourceId: resource.resource_id });
      const count = series.occurrences.length;
      const pending = series.occurrences.some((o) => o.status === 'pending_approval') ? ' (waiting for approval)' : '';
      if (skipped.length) {
        const result = seriesResult(series, skipped, () => dialog.close());
        form.replaceWith(result);
        result.querySelector('button')?.focus();
        toast(`Reserved ${resource.name}: ${count} occurrences${pending}, ${skipped.length} skipped.`);
        return;
      }
      dialog.close();
      toast(`Reserved ${resource.name}: ${count} occurrences from ${formatRange(body.start_time, body.end_time)}${pending}.`);
      return;
    }
    let created;
    planB.replaceChildren();
    try {
      created = await reservations.book(session.api, body, key.current);
    } catch (error) {
      if (error instanceof ApiError && error.status) key.renew();
      if (error instanceof ApiError && error.code === 'reservation_conflict') {
        const wanted = { start: new Date(body.start_time), end: new Date(body.end_time) };
        waitOffer.replaceChildren(
          h('p', { class: 'hint', text: 'Taken: you can wait for this time instead.' }),
          joinButton(session, resource, wanted, () => dialog.close()));
        waitOffer.hidden = false;
      }
      if (error instanceof ApiError) showDenial(error);
      throw error;
    }
    dialog.close();
    const when = formatRange(body.start_time, body.end_time);
    toast(created.status === 'pending_approval'
      ? `Requested ${resource.name} for ${when}: waiting for approval.`
      : `Reserved ${resource.name}: ${when}.`);
    session.events.emit('reservations-changed', { source: 'local', resourceId: resource.resource_id });
  });
  /** Every failed rule and the alternatives, each bookable with one click. */
  function showDenial(error: ApiError): void {
    const { violations, alternatives } = whatIf.denialOf(error.details);
    const nodes = [
      violations.length > 1 ? violationList(violations) : null,
      alternativesList(alternatives, async (choice) => {
        const booked = await reservations.book(session.api, choice.request, new reservations.IdempotencyKey().current)
          .catch((failed: unknown) => { showError(box, failed); return null; });
        if (!booked) return;
        dialog.close();
        toast(`Reserved ${choice.resource_name}: ${formatRange(choice.start_time, choice.end_time)}.`);
        session.events.emit('reservations-changed', { source: 'local', resourceId: choice.resource_id });
      }),
    ].filter((n): n is HTMLElement => n !== null);
    planB.replaceChildren(...nodes);
  }
  form.addEventListener('input', () => forecast.refresh());
  form.addEventListener('change', () => forecast.refresh());
  const dialog = openDialog(`Reserve ${resource.name}`, form);
  times.startInput.focus();
  forecast.refresh();
  return dialog;
}

export function openReschedule(session: Session, reservation: reservations.Reservation, resourceName: string): void {
  const times = windowFields(isoToLocalInput(reservation.start_time), isoToLocalInput(reservation.end_time));
  const box = errorBox();
  const form = h('form', { class: 'stack', 'aria-label': 'Reschedule' },
    h('p', { text: `Currently: ${formatRange(reservation.start_time, reservation.end_time)}` }),
    ...times.elements,
    box,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button primary', text: 'Save new time' }),
      h('button', { type: 'button', class: 'button', text: 'Keep as is', onclick: () => dialog.close() })));
  onSubmit(form, box, async () => {
    const body = times.read();
    await reservations.reschedule(session.api, reservation.reservation_id, body);
    dialog.close();
    toast(`Rescheduled to ${formatRange(body.start_time, body.end_time)}.`);
    session.events.emit('reservations-changed', { source: 'local', resourceId: reservation.resource_id });
  });
  const dialog = openDialog(`Reschedule ${resourceName || 'reservation'}`, form);
  times.startInput.focus();
}

const SCHEDULE_PAGES = 5;

/** A resource's busy blocks in [from, to), following the cursor a few pages. */
export async function busyBlocks(session: Session, id: string, from: string, to: string): Promise<{ blocks: resources.ScheduleBlock[]; more: boolean }> {
  const query = { from, to, limit: 100 };
  let page = await resources.schedule(session.api, id, query);
  let blocks = page.items;
  for (let n = 1; page.next_cursor && n < SCHEDULE_PAGES; n += 1) {
    page = await resources.schedule(session.api, id, { ...query, cursor: page.next_cursor });
    blocks = blocks.concat(page.items);
  }
  return { blocks, more: Boolean(page.next_cursor) };
}

export function openSchedule(session: Session, resource: Resource): void {
  const id = resource.resource_id;
  const from = h('input', { type: 'date', name: 'from', value: toDateInput(new Date()), required: true });
  const days = h('select', { name: 'days' },
    [1, 7, 14, 31].map((n) => h('option', { value: String(n), selected: n === 7, text: n === 1 ? '1 day' : `${n} days` })));
  const box = errorBox();
  const list = h('div', { class: 'schedule', 'aria-live': 'polite' });
  let generation = 0; // a newer period's answer must not be replaced by an older one

  async function load(): Promise<void> {
    const mine = ++generation;
    clearError(box);
    const start = new Date(`${from.value}T00:00`);
    if (Number.isNaN(start.getTime())) return;
    const end = new Date(start);
    end.setDate(end.getDate() + Number(days.value));
    list.setAttribute('aria-busy', 'true');
    try {
      const { blocks, more } = await busyBlocks(session, id, localInputToIso(toLocalInput(start)), localInputToIso(toLocalInput(end)));
      if (mine !== generation) return;
      list.replaceChildren(renderBlocks(blocks, start, end));
      if (more) list.append(h('p', { class: 'hint', text: 'More reservations exist: choose a shorter period.' }));
    } catch (error) {
      if (mine === generation) showError(box, error);
    } finally {
      if (mine === generation) list.removeAttribute('aria-busy');
    }
  }

  from.addEventListener('change', () => void load());
  days.addEventListener('change', () => void load());
  const slots = freeSlotsSection(session, resource, (window) => { dialog.close(); openReserve(session, resource, window); });
  const reload = (): void => { void load(); void slots.load(); };
  const stops = [
    session.events.on('reservations-changed', reload),
    session.events.on('resources-changed', reload),
    session.events.on('resource-activity', ({ resourceId }) => { if (resourceId === id) reload(); }),
    session.live?.watchResource(id),
  ];
  const dialog = openDialog(`Schedule: ${resource.name}`,
    slots.element,
    h('h3', { text: 'Reservations' }),
    h('div', { class: 'row' }, field('From', from), field('Show', days)),
    box,
    list,
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button primary', text: 'Reserve…', onclick: () => { dialog.close(); openReserve(session, resource); } })));
  dialog.addEventListener('close', () => stops.forEach((stop) => stop?.()));
  reload();
}

/** Busy blocks by day. Other people's blocks carry no name or notes (the API hides them). */
function renderBlocks(blocks: resources.ScheduleBlock[], start: Date, end: Date): HTMLElement {
  if (!blocks.length) {
    return h('p', { class: 'empty', text: `Free from ${formatDay(start)} to ${formatDay(new Date(end.getTime() - 1))}: no reservations.` });
  }
  const byDay = new Map<string, resources.ScheduleBlock[]>();
  for (const block of blocks) {
    const day = formatDay(new Date(block.start_time));
    byDay.set(day, [...(byDay.get(day) ?? []), block]);
  }
  return h('div', {}, [...byDay.entries()].map(([day, items]) => h('section', { class: 'day' },
    h('h3', { text: day }),
    h('ul', { class: 'blocks' }, items.map((block) => {
      const label = block.mine ? 'yours' : block.status === 'pending_approval' ? 'pending approval' : 'busy';
      return h('li', { class: block.mine ? 'block mine' : 'block' },
        h('span', { class: 'when', text: formatTimes(block.start_time, block.end_time) }), ' ',
        badge(label, block.mine ? 'mine' : 'busy'));
    })))));
}
