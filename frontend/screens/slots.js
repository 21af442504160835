// The Schedule dialog's "Free slots" section: the free intervals of one local date of a
// resource (GET /resources/{id}/availability?date=), shown in the RESOURCE's time zone (the
// date is the resource's date too), each with a Reserve button.
import { clearError, errorBox, field, h, showError } from '../dom.js';

/** "YYYY-MM-DD" of `now` in `zone` (the browser's zone if the zone is unknown). */
export function todayIn(zone, now = new Date()) {
  let parts;
  try {
    parts = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(now);
  } catch {
    parts = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  }
  const part = (type) => parts.find((p) => p.type === type)?.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** A formatter of wall-clock times in `zone`; falls back to the browser's zone. */
function timeFormatIn(zone) {
  try {
    return new Intl.DateTimeFormat(undefined, { timeStyle: 'short', timeZone: zone });
  } catch {
    return new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
  }
}

/** "08:00 – 10:00" in the resource's zone; the end gets its date when it is on a later day. */
export function slotText(slot, zone) {
  const times = timeFormatIn(zone);
  const start = new Date(slot.start_time);
  const end = new Date(slot.end_time);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) {
    return `${slot.local_start ?? slot.start_time} – ${slot.local_end ?? slot.end_time}`;
  }
  const nextDay = todayIn(zone, start) !== todayIn(zone, new Date(end - 1));
  return `${times.format(start)} – ${times.format(end)}${nextDay ? ' (next day)' : ''}`;
}

/**
 * {element, load()}: a date picker (default: today in the resource's zone) and the list of
 * free slots. `onReserve({start, end})` (Dates) is called by a slot's Reserve button.
 */
export function freeSlotsSection(ctx, resource, resourceId, onReserve) {
  const zone = resource.timezone || 'UTC';
  const day = h('input', { type: 'date', name: 'date', value: todayIn(zone), required: true });
  const box = errorBox();
  const list = h('div', { class: 'slots', 'aria-live': 'polite' });
  const headingId = `free-slots-${resourceId}`;

  let generation = 0;  // answers may arrive out of order: only the latest date's is shown

  async function load() {
    const mine = ++generation;
    clearError(box);
    if (!day.value) {
      list.replaceChildren();
      return;
    }
    list.setAttribute('aria-busy', 'true');
    try {
      const path = `/api/v1/resources/${encodeURIComponent(resourceId)}/availability`;
      const answer = await ctx.api.get(path, { date: day.value });
      if (mine === generation) list.replaceChildren(renderSlots(answer, zone, resource, onReserve));
    } catch (error) {
      if (mine === generation) {
        list.replaceChildren();
        showError(box, error);
      }
    } finally {
      if (mine === generation) list.removeAttribute('aria-busy');
    }
  }

  day.addEventListener('change', load);
  const element = h('section', { class: 'free-slots', 'aria-labelledby': headingId },
    h('h3', { id: headingId, text: 'Free slots' }),
    field('Free slots on', day, `Date and times in the resource's time zone (${zone}).`),
    box,
    list);
  return { element, load };
}

function renderSlots(answer, fallbackZone, resource, onReserve) {
  const zone = answer?.timezone || fallbackZone;
  const slots = Array.isArray(answer?.slots) ? answer.slots : [];
  if (!slots.length) return h('p', { class: 'empty', text: `Nothing free on ${answer?.date ?? 'that date'}.` });
  return h('ul', { class: 'slot-list', 'aria-label': `Free slots (${zone})` }, slots.map((slot) => {
    const text = slotText(slot, zone);
    return h('li', { class: 'slot' },
      h('span', { class: 'when', text: `${text} (${zone})` }),
      h('button', {
        type: 'button',
        class: 'button',
        'aria-label': `Reserve ${resource.name} ${text}`,
        text: 'Reserve',
        onclick: () => onReserve(reserveWindow(slot, resource)),
      }));
  }));
}

/** The slot as a booking window, cut to the resource's longest allowed duration. */
export function reserveWindow(slot, resource) {
  const start = new Date(slot.start_time);
  let end = new Date(slot.end_time);
  const maxMinutes = Number(resource.max_duration_minutes);
  if (maxMinutes > 0 && end - start > maxMinutes * 60_000) end = new Date(start.getTime() + maxMinutes * 60_000);
  return { start, end };
}
