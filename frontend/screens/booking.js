// Booking dialogs: Reserve (create), Reschedule, and a resource's Schedule.
// Start/end are datetime-local inputs (browser time zone) sent as ISO 8601 with the browser's
// offset, e.g. 2026-11-24T10:00:00+01:00; the API stores UTC.
import { idempotencyKey } from '../api.js';
import { badge, checkbox, clearError, errorBox, field, h, onSubmit, openDialog, showError, toast } from '../dom.js';
import {
  browserTimeZone, formatDay, formatRange, formatTimes, isoToLocalInput, localInputToIso, nextHourWindow, toDateInput, toLocalInput,
} from '../time.js';
import { bookSeries, repeatSection, seriesResult } from './series.js';
import { freeSlotsSection } from './slots.js';

export function resourceIdOf(resource) {
  return resource.resource_id ?? resource.id;
}

/** Start/end inputs; returns {elements, read()} where read() gives ISO strings or throws. */
function windowFields(start, end) {
  const startInput = h('input', { type: 'datetime-local', name: 'start_time', required: true, step: '60', value: start });
  const endInput = h('input', { type: 'datetime-local', name: 'end_time', required: true, step: '60', value: end });
  startInput.addEventListener('change', () => {
    // Keep the duration when the start moves, like a calendar does.
    const before = new Date(start);
    const length = new Date(endInput.value) - before;
    const moved = new Date(startInput.value);
    if (length > 0 && !Number.isNaN(moved.getTime())) endInput.value = toLocalInput(new Date(moved.getTime() + length));
    start = startInput.value;
  });
  const zone = browserTimeZone();
  return {
    elements: [
      h('div', { class: 'row' }, field('Start', startInput), field('End', endInput)),
      h('p', { class: 'hint', text: `Times are in your browser's time zone (${zone}).` }),
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

/** `window` ({start, end} Dates, optional) pre-fills the times; default: the next hour. */
export function openReserve(ctx, resource, window = null) {
  const { start, end } = window ?? nextHourWindow();
  const times = windowFields(toLocalInput(start), toLocalInput(end));
  const notes = h('textarea', { name: 'notes', rows: '2', maxlength: '1000' });
  const override = h('input', { type: 'checkbox', name: 'override' });
  const repeat = repeatSection(times.startInput);
  const box = errorBox();
  const form = h(
    'form',
    { class: 'stack', 'aria-label': `Reserve ${resource.name}` },
    ...times.elements,
    repeat.element,
    resource.timezone && resource.timezone !== browserTimeZone()
      ? h('p', { class: 'hint', text: `This resource's opening hours are in ${resource.timezone}.` }) : null,
    resource.requires_approval
      ? h('p', { class: 'notice', text: 'An approver must confirm this booking; the slot is held for you meanwhile.' }) : null,
    field('Notes (optional)', notes),
    ctx.me?.is_admin ? checkbox('Ignore opening hours and blackouts (administrator)', override) : null,
    box,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button primary', text: 'Reserve' }),
      h('button', { type: 'button', class: 'button', text: 'Cancel', onclick: () => dialog.close() })),
  );
  // One key per distinct request: a network retry of the same booking is answered with the
  // first result; once the server has answered (even with an error) a new attempt gets a new key.
  let key = idempotencyKey();
  const seriesKeys = { current: idempotencyKey() };
  onSubmit(form, box, async () => {
    const body = { resource_id: resourceIdOf(resource), ...times.read() };
    if (notes.value.trim()) body.notes = notes.value.trim();
    if (override.checked) body.override = true;
    const repeating = repeat.read();
    if (repeating) {
      await reserveSeries(ctx, resource, { ...body, recurrence: repeating.recurrence }, repeating.policy, seriesKeys, form, dialog);
      return;
    }
    let created;
    try {
      created = await ctx.api.post('/api/v1/reservations', body, { headers: { 'Idempotency-Key': key } });
    } catch (error) {
      if (error.status) key = idempotencyKey();
      throw error;
    }
    dialog.close();
    const when = formatRange(body.start_time, body.end_time);
    toast(created?.status === 'pending_approval'
      ? `Requested ${resource.name} for ${when}: waiting for approval.`
      : `Reserved ${resource.name}: ${when}.`);
    ctx.emit('reservations-changed');
  });
  const dialog = openDialog(`Reserve ${resource.name}`, form);
  times.startInput.focus();
}

async function reserveSeries(ctx, resource, body, policy, keys, form, dialog) {
  const { series, skipped } = await bookSeries(ctx.api, body, policy, keys);
  ctx.emit('reservations-changed');
  const occurrences = series?.occurrences ?? [];
  const pending = occurrences.some((o) => o.status === 'pending_approval') ? ' (waiting for approval)' : '';
  if (skipped.length) {
    const result = seriesResult(series, skipped, () => dialog.close());
    form.replaceWith(result);
    result.querySelector('button')?.focus();
    toast(`Reserved ${resource.name}: ${occurrences.length} occurrences${pending}, ${skipped.length} skipped.`);
    return;
  }
  dialog.close();
  toast(`Reserved ${resource.name}: ${occurrences.length} occurrences from ${formatRange(body.start_time, body.end_time)}${pending}.`);
}

export function openReschedule(ctx, reservation, resourceName) {
  const times = windowFields(isoToLocalInput(reservation.start_time), isoToLocalInput(reservation.end_time));
  const box = errorBox();
  const form = h(
    'form',
    { class: 'stack', 'aria-label': 'Reschedule' },
    h('p', { text: `Currently: ${formatRange(reservation.start_time, reservation.end_time)}` }),
    ...times.elements,
    box,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button primary', text: 'Save new time' }),
      h('button', { type: 'button', class: 'button', text: 'Keep as is', onclick: () => dialog.close() })),
  );
  onSubmit(form, box, async () => {
    const body = times.read();
    await ctx.api.patch(`/api/v1/reservations/${encodeURIComponent(reservation.reservation_id)}`, body);
    dialog.close();
    toast(`Rescheduled to ${formatRange(body.start_time, body.end_time)}.`);
    ctx.emit('reservations-changed');
  });
  const dialog = openDialog(`Reschedule ${resourceName || 'reservation'}`, form);
  times.startInput.focus();
}

const SCHEDULE_PAGES = 5;

function blocksOf(response) {
  return Array.isArray(response) ? response : response?.items ?? [];
}

export function openSchedule(ctx, resource) {
  const id = resourceIdOf(resource);
  const from = h('input', { type: 'date', name: 'from', value: toDateInput(new Date()), required: true });
  const days = h('select', { name: 'days' },
    [1, 7, 14, 31].map((n) => h('option', { value: String(n), selected: n === 7, text: n === 1 ? '1 day' : `${n} days` })));
  const box = errorBox();
  const list = h('div', { class: 'schedule', 'aria-live': 'polite' });

  let generation = 0;  // a newer period's answer must not be replaced by an older one

  async function load() {
    const mine = ++generation;
    clearError(box);
    const start = new Date(`${from.value}T00:00`);
    if (Number.isNaN(start.getTime())) return;
    const end = new Date(start);
    end.setDate(end.getDate() + Number(days.value));
    list.setAttribute('aria-busy', 'true');
    try {
      const query = { from: localInputToIso(toLocalInput(start)), to: localInputToIso(toLocalInput(end)), limit: 100 };
      const path = `/api/v1/resources/${encodeURIComponent(id)}/schedule`;
      let response = await ctx.api.get(path, query);
      let blocks = blocksOf(response);
      for (let page = 1; response?.next_cursor && page < SCHEDULE_PAGES; page += 1) {
        response = await ctx.api.get(path, { ...query, cursor: response.next_cursor });
        blocks = blocks.concat(blocksOf(response));
      }
      if (mine !== generation) return;
      list.replaceChildren(renderBlocks(blocks, start, end));
      if (response?.next_cursor) list.append(h('p', { class: 'hint', text: 'More reservations exist: choose a shorter period.' }));
    } catch (error) {
      if (mine === generation) showError(box, error);
    } finally {
      if (mine === generation) list.removeAttribute('aria-busy');
    }
  }

  from.addEventListener('change', load);
  days.addEventListener('change', load);
  const reload = () => { load(); slots.load(); };
  const stopListening = ctx.on('reservations-changed', reload);
  ctx.live?.subscribe(id);
  const slots = freeSlotsSection(ctx, resource, id, (window) => { dialog.close(); openReserve(ctx, resource, window); });
  const dialog = openDialog(
    `Schedule: ${resource.name}`,
    slots.element,
    h('h3', { text: 'Reservations' }),
    h('div', { class: 'row' }, field('From', from), field('Show', days)),
    box,
    list,
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button primary', text: 'Reserve…', onclick: () => { dialog.close(); openReserve(ctx, resource); } })),
  );
  dialog.addEventListener('close', stopListening);
  const stopResource = ctx.on('resources-changed', reload);
  dialog.addEventListener('close', stopResource);
  reload();
}

/** Busy blocks by day. Other people's blocks carry no name or notes (the API hides them). */
function renderBlocks(blocks, start, end) {
  if (!blocks.length) {
    return h('p', { class: 'empty', text: `Free from ${formatDay(start)} to ${formatDay(new Date(end - 1))}: no reservations.` });
  }
  const byDay = new Map();
  for (const block of blocks) {
    const day = formatDay(new Date(block.start_time));
    if (!byDay.has(day)) byDay.set(day, []);
    byDay.get(day).push(block);
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
