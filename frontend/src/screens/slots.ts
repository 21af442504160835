// The Schedule dialog's "Free slots" section: the free intervals of one local date of a
// resource (GET /resources/{id}/availability?date=), shown in the RESOURCE's time zone (the
// date is the resource's date too), each with a Reserve button.
import * as resources from '../api/resources';
import type { Schemas } from '../api/client';
import { field, h } from '../components/dom';
import { clearError, errorBox, showError } from '../components/errors';
import { todayIn, type TimeWindow } from '../lib/time';
import type { Session } from '../state';

type Slot = Schemas['SlotOut'];
type Resource = Pick<resources.Resource, 'resource_id' | 'name' | 'timezone' | 'max_duration_minutes'>;

/** A formatter of wall-clock times in `zone`; falls back to the browser's zone. */
function timeFormatIn(zone: string): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat(undefined, { timeStyle: 'short', timeZone: zone });
  } catch {
    return new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
  }
}

/** "08:00 – 10:00" in the resource's zone; the end gets its date when it is on a later day. */
export function slotText(slot: Slot, zone: string): string {
  const times = timeFormatIn(zone);
  const start = new Date(slot.start_time);
  const end = new Date(slot.end_time);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return `${slot.local_start} – ${slot.local_end}`;
  const nextDay = todayIn(zone, start) !== todayIn(zone, new Date(end.getTime() - 1));
  return `${times.format(start)} – ${times.format(end)}${nextDay ? ' (next day)' : ''}`;
}

/** A date picker (default: today in the resource's zone) and the list of free slots. */
export function freeSlotsSection(session: Session, resource: Resource, onReserve: (window: TimeWindow) => void): { element: HTMLElement; load(): Promise<void> } {
  const zone = resource.timezone || 'UTC';
  const day = h('input', { type: 'date', name: 'date', value: todayIn(zone), required: true });
  const box = errorBox();
  const list = h('div', { class: 'slots', 'aria-live': 'polite' });
  const headingId = `free-slots-${resource.resource_id}`;
  let generation = 0; // answers may arrive out of order: only the latest date's is shown

  async function load(): Promise<void> {
    const mine = ++generation;
    clearError(box);
    if (!day.value) {
      list.replaceChildren();
      return;
    }
    list.setAttribute('aria-busy', 'true');
    try {
      const answer = await resources.dayAvailability(session.api, resource.resource_id, day.value);
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

  day.addEventListener('change', () => void load());
  const element = h('section', { class: 'free-slots', 'aria-labelledby': headingId },
    h('h3', { id: headingId, text: 'Free slots' }),
    field('Free slots on', day, `Date and times in the resource's time zone (${zone}).`),
    box,
    list);
  return { element, load };
}

function renderSlots(answer: Schemas['DayAvailabilityOut'], fallbackZone: string, resource: Resource, onReserve: (window: TimeWindow) => void): HTMLElement {
  const zone = answer.timezone || fallbackZone;
  if (!answer.slots.length) return h('p', { class: 'empty', text: `Nothing free on ${answer.date}.` });
  return h('ul', { class: 'slot-list', 'aria-label': `Free slots (${zone})` }, answer.slots.map((slot) => {
    const text = slotText(slot, zone);
    return h('li', { class: 'slot' },
      h('span', { class: 'when', text: `${text} (${zone})` }),
      h('button', {
        type: 'button', class: 'button', 'aria-label': `Reserve ${resource.name} ${text}`, text: 'Reserve',
        onclick: () => onReserve(reserveWindow(slot, resource)),
      }));
  }));
}

/** The slot as a booking window, cut to the resource's longest allowed duration. */
export function reserveWindow(slot: Pick<Slot, 'start_time' | 'end_time'>, resource: Pick<Resource, 'max_duration_minutes'>): TimeWindow {
  const start = new Date(slot.start_time);
  let end = new Date(slot.end_time);
  const maxMinutes = Number(resource.max_duration_minutes);
  if (maxMinutes > 0 && end.getTime() - start.getTime() > maxMinutes * 60_000) end = new Date(start.getTime() + maxMinutes * 60_000);
  return { start, end };
}
