// Time helpers. The API takes and returns ISO 8601 instants with an offset; <input
// type="datetime-local"> has no zone at all, so we attach the browser's offset FOR THAT DATE
// (not today's: a booking after a DST change gets the right offset). The calendar shows a
// resource in ITS time zone: `wallClockIn` / `instantFromWallClock` convert between instants
// and the naive wall-clock times the grid works with.

const pad = (n: number): string => String(n).padStart(2, '0');

export interface TimeWindow {
  start: Date;
  end: Date;
}

/** A Date as the value of a datetime-local input (browser time zone, minutes precision). */
export function toLocalInput(date: Date): string {
  return `${toDateInput(date)}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A Date as the value of a date input (browser time zone). */
export function toDateInput(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** "+02:00" for the browser's offset at `date`. */
export function offsetOf(date: Date): string {
  const minutes = -date.getTimezoneOffset();
  const sign = minutes >= 0 ? '+' : '-';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/**
 * "2026-11-24T10:00" (datetime-local value) -> "2026-11-24T10:00:00+01:00".
 * A wall-clock time that does not exist (inside a DST gap) is moved forward by the browser;
 * we format the moved time so the text and the offset always agree.
 */
export function localInputToIso(value: string): string {
  if (!value) throw new Error('Enter a date and time.');
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error(`"${value}" is not a valid date and time.`);
  return `${toLocalInput(date)}:${pad(date.getSeconds())}${offsetOf(date)}`;
}

/** An ISO instant from the API back into a datetime-local value. */
export function isoToLocalInput(iso: string): string {
  return toLocalInput(new Date(iso));
}

/** The next whole hour from now, and one hour after it: a sensible default booking. */
export function nextHourWindow(now: Date = new Date()): TimeWindow {
  const start = new Date(now);
  start.setMinutes(0, 0, 0);
  start.setHours(start.getHours() + 1);
  const end = new Date(start);
  end.setHours(end.getHours() + 1);
  return { start, end };
}

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const dayOnly = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long' });

export function formatInstant(iso: string | null | undefined): string {
  const date = new Date(iso ?? '');
  return Number.isNaN(date.getTime()) ? String(iso ?? '') : dateTime.format(date);
}

/** "24 Nov 2026, 10:00 – 11:00" (the end date is repeated only when it differs). */
export function formatRange(startIso: string, endIso: string): string {
  const start = new Date(startIso);
  const end = new Date(endIso);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return `${startIso} – ${endIso}`;
  const sameDay = start.toDateString() === end.toDateString();
  return `${dateTime.format(start)} – ${sameDay ? timeOnly.format(end) : dateTime.format(end)}`;
}

/** "16:00 – 17:00" for a block listed under its day (the end date is added if it differs). */
export function formatTimes(startIso: string, endIso: string): string {
  const start = new Date(startIso);
  const end = new Date(endIso);
  const sameDay = start.toDateString() === end.toDateString();
  return `${timeOnly.format(start)} – ${sameDay ? timeOnly.format(end) : dateTime.format(end)}`;
}

export function formatDay(date: Date): string {
  return dayOnly.format(date);
}

/** IANA zones the browser knows (for the time zone picker), the current one first. */
export function timeZones(current?: string | null): string[] {
  let zones = ['UTC'];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    // Older browsers: the picker then only offers UTC and the current values.
  }
  const extra = [current, browserTimeZone(), 'UTC'].filter(
    (zone): zone is string => Boolean(zone) && !zones.includes(zone as string),
  );
  return [...new Set([...extra, ...zones])];
}

// ---- wall clock in a named zone ---------------------------------------------------------------

const partsCache = new Map<string, Intl.DateTimeFormat>();

function partsFormat(zone: string): Intl.DateTimeFormat {
  let format = partsCache.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    partsCache.set(zone, format);
  }
  return format;
}

/** "2026-11-24T10:00:00": the wall-clock time of `instant` in `zone` (no offset). */
export function wallClockIn(instant: Date, zone: string): string {
  const parts = Object.fromEntries(partsFormat(zone).formatToParts(instant).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

/** Minutes `zone` is ahead of UTC at `instant`. */
export function zoneOffsetMinutes(instant: Date, zone: string): number {
  const wall = Date.parse(`${wallClockIn(instant, zone)}Z`);
  return Math.round((wall - Math.floor(instant.getTime() / 1000) * 1000) / 60000);
}

/**
 * The instant at which the wall clock in `zone` shows `wall` ("2026-11-24T10:00[:00]").
 * A time inside a DST gap moves forward by the gap (like the browser does for its own zone);
 * an ambiguous time (the hour repeated in autumn) is the first of the two.
 */
export function instantFromWallClock(wall: string, zone: string): Date {
  const naive = Date.parse(`${wall.length === 16 ? `${wall}:00` : wall}Z`);
  if (Number.isNaN(naive)) throw new Error(`"${wall}" is not a valid date and time.`);
  const before = zoneOffsetMinutes(new Date(naive - 86_400_000 / 2), zone);
  const after = zoneOffsetMinutes(new Date(naive + 86_400_000 / 2), zone);
  for (const offset of [before, after]) {
    const candidate = new Date(naive - offset * 60000);
    if (wallClockIn(candidate, zone).startsWith(wall.slice(0, 16))) return candidate;
  }
  // In a gap: neither offset reproduces the wall time; the earlier offset moves it forward.
  return new Date(naive - before * 60000);
}

/** "YYYY-MM-DD" of `now` in `zone` (the browser's zone if the zone is unknown). */
export function todayIn(zone: string, now: Date = new Date()): string {
  try {
    return wallClockIn(now, zone).slice(0, 10);
  } catch {
    return toDateInput(now);
  }
}

/** A date string moved by `days` calendar days ("2026-03-28" + 1 = "2026-03-29"). */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** Monday-based weekday (0 = Monday) of a "YYYY-MM-DD" date. */
export function weekdayOfDay(day: string): number {
  return (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
}
