// Time helpers. The API takes and returns ISO 8601 instants with an offset; <input
// type="datetime-local"> has no zone at all, so we attach the browser's offset FOR THAT DATE
// (not today's: a booking after a DST change gets the right offset).

const pad = (n) => String(n).padStart(2, '0');

/** A Date as the value of a datetime-local input (browser time zone, minutes precision). */
export function toLocalInput(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
    + `T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A Date as the value of a date input (browser time zone). */
export function toDateInput(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** "+02:00" for the browser's offset at `date`. */
export function offsetOf(date) {
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
export function localInputToIso(value) {
  if (!value) throw new Error('Enter a date and time.');
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error(`"${value}" is not a valid date and time.`);
  return `${toLocalInput(date)}:${pad(date.getSeconds())}${offsetOf(date)}`;
}

/** An ISO instant from the API back into a datetime-local value. */
export function isoToLocalInput(iso) {
  return toLocalInput(new Date(iso));
}

/** The next whole hour from now, and one hour after it: a sensible default booking. */
export function nextHourWindow(now = new Date()) {
  const start = new Date(now);
  start.setMinutes(0, 0, 0);
  start.setHours(start.getHours() + 1);
  const end = new Date(start);
  end.setHours(end.getHours() + 1);
  return { start, end };
}

export function browserTimeZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const dayOnly = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long' });

export function formatInstant(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso ?? '') : dateTime.format(date);
}

/** "24 Nov 2026, 10:00 – 11:00" (the end date is repeated only when it differs). */
export function formatRange(startIso, endIso) {
  const start = new Date(startIso);
  const end = new Date(endIso);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return `${startIso} – ${endIso}`;
  const sameDay = start.toDateString() === end.toDateString();
  return `${dateTime.format(start)} – ${sameDay ? timeOnly.format(end) : dateTime.format(end)}`;
}

/** "16:00 – 17:00" for a block listed under its day (the end date is added if it differs). */
export function formatTimes(startIso, endIso) {
  const start = new Date(startIso);
  const end = new Date(endIso);
  const sameDay = start.toDateString() === end.toDateString();
  return `${timeOnly.format(start)} – ${sameDay ? timeOnly.format(end) : dateTime.format(end)}`;
}

export function formatDay(date) {
  return dayOnly.format(date);
}

/** IANA zones the browser knows (for the time zone picker), the current one first. */
export function timeZones(current) {
  let zones = ['UTC'];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    // Older browsers: the picker then only offers UTC and the current values.
  }
  const extra = [current, browserTimeZone(), 'UTC'].filter((zone) => zone && !zones.includes(zone));
  return [...extra, ...zones];
}
