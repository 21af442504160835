// From the API's answers to the calendar grid's events, and back. Pure functions (Vitest).
//
// The grid works in naive wall-clock times ("2026-11-24T10:00:00") of ONE display zone: a
// resource's own zone in its day/week view, the browser's zone in the timeline of many
// resources. Busy blocks are instants; opening hours and blackout dates are wall-clock rules
// of the resource's zone, turned into "closed" background blocks of the display zone.
import { addDays, instantFromWallClock, wallClockIn, weekdayOfDay, type TimeWindow } from '../lib/time';

export interface Block { start_time: string; end_time: string; status: string; mine: boolean; reservation_id?: string | null }
export interface BlackoutDates { start_date: string; end_date: string; reason?: string }
export type WeekHours = Record<string, Record<string, string> | null> | null;

export interface GridEvent {
  id?: string;
  resourceId: string;
  start: string;
  end: string;
  title?: string;
  display?: 'auto' | 'background';
  classNames: string[];
}

const DAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** What a block is called: others' are only "Busy" (the API gives their times, nothing else). */
export function blockLabel(block: Pick<Block, 'mine' | 'status'>): { title: string; kind: string } {
  if (!block.mine) return { title: 'Busy', kind: 'busy' };
  if (block.status === 'pending_approval') return { title: 'Yours: waiting for approval', kind: 'pending' };
  if (block.status === 'held') return { title: 'Yours: held', kind: 'held' };
  return { title: 'Yours', kind: 'mine' };
}

export function blockEvent(block: Block, resourceId: string, zone: string): GridEvent {
  const { title, kind } = blockLabel(block);
  return {
    id: block.reservation_id ? `r-${block.reservation_id}` : undefined,
    resourceId,
    start: wallClockIn(new Date(block.start_time), zone),
    end: wallClockIn(new Date(block.end_time), zone),
    title,
    classNames: ['rr-block', `rr-${kind}`],
  };
}

/** "24:00" -> the next day's 00:00. */
function at(day: string, hhmm: string): string {
  return hhmm === '24:00' ? `${addDays(day, 1)}T00:00:00` : `${day}T${hhmm}:00`;
}

/**
 * Closed wall-clock intervals of the resource's zone on the days [fromDay, toDay): outside
 * the opening hours (null = always open; a null day = closed all day) and on blackout dates.
 */
export function closedIntervals(hours: WeekHours, blackouts: BlackoutDates[], fromDay: string, toDay: string): { start: string; end: string; kind: 'closed' | 'blackout'; reason?: string }[] {
  const out: { start: string; end: string; kind: 'closed' | 'blackout'; reason?: string }[] = [];
  for (let day = fromDay; day < toDay; day = addDays(day, 1)) {
    if (hours === null) continue;
    const open = hours[DAY_KEYS[weekdayOfDay(day)]] ?? null;
    const midnight = `${day}T00:00:00`;
    const next = `${addDays(day, 1)}T00:00:00`;
    if (!open || !open.opens || !open.closes) {
      out.push({ start: midnight, end: next, kind: 'closed' });
      continue;
    }
    if (open.opens !== '00:00') out.push({ start: midnight, end: at(day, open.opens), kind: 'closed' });
    if (open.closes !== '24:00') out.push({ start: at(day, open.closes), end: next, kind: 'closed' });
  }
  for (const b of blackouts) {
    const start = b.start_date < fromDay ? fromDay : b.start_date;
    const last = b.end_date >= toDay ? addDays(toDay, -1) : b.end_date;
    if (start > last) continue;
    out.push({ start: `${start}T00:00:00`, end: `${addDays(last, 1)}T00:00:00`, kind: 'blackout', reason: b.reason });
  }
  return out;
}

/** A wall-clock time of one zone as the wall-clock time of another. */
export function moveZone(wall: string, from: string, to: string): string {
  return from === to ? wall : wallClockIn(instantFromWallClock(wall, from), to);
}

/** The shaded background events of one resource, in the display zone. */
export function closedEvents(
  resourceId: string, hours: WeekHours, blackouts: BlackoutDates[], resourceZone: string, displayZone: string, fromDay: string, toDay: string,
): GridEvent[] {
  // The display range in the resource's zone may start a day earlier or end a day later.
  const intervals = closedIntervals(hours, blackouts, addDays(fromDay, -1), addDays(toDay, 1));
  return intervals.map((i) => ({
    resourceId,
    start: moveZone(i.start, resourceZone, displayZone),
    end: moveZone(i.end, resourceZone, displayZone),
    display: 'background',
    title: i.kind === 'blackout' ? `Closed: ${i.reason ?? 'blackout'}` : 'Closed',
    classNames: [`rr-${i.kind}`],
  }));
}

/** A selection on the grid (naive strings of the display zone) as a booking window. */
export function selectionWindow(startStr: string, endStr: string, displayZone: string): TimeWindow {
  return { start: instantFromWallClock(startStr, displayZone), end: instantFromWallClock(endStr, displayZone) };
}

/** Does [start, end) overlap any busy block? (the grid refuses such a selection up front) */
export function overlapsBusy(window: TimeWindow, blocks: Block[]): boolean {
  return blocks.some((b) => new Date(b.start_time) < window.end && new Date(b.end_time) > window.start);
}
