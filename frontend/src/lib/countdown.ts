// Pure helpers of the waitlist and check-in screens: an offer's countdown and whether a
// reservation is near enough its start to offer check-in (Vitest checks them).

/** "12:05" (minutes:seconds) left until `deadline`, "1:02:05" past an hour, "expired" at 0. */
export function countdownText(deadline: Date | string, now: Date = new Date()): string {
  const left = Math.floor((new Date(deadline).getTime() - now.getTime()) / 1000);
  if (!Number.isFinite(left) || left <= 0) return 'expired';
  const hours = Math.floor(left / 3600);
  const minutes = Math.floor((left % 3600) / 60);
  const seconds = left % 60;
  const mm = hours ? String(minutes).padStart(2, '0') : String(minutes);
  return `${hours ? `${hours}:` : ''}${mm}:${String(seconds).padStart(2, '0')}`;
}

/** Spoken form for screen readers: "12 minutes 5 seconds left". */
export function countdownWords(deadline: Date | string, now: Date = new Date()): string {
  const left = Math.floor((new Date(deadline).getTime() - now.getTime()) / 1000);
  if (!Number.isFinite(left) || left <= 0) return 'expired';
  const minutes = Math.floor(left / 60);
  const seconds = left % 60;
  const parts = [minutes ? `${minutes} minute${minutes === 1 ? '' : 's'}` : '', `${seconds} second${seconds === 1 ? '' : 's'}`];
  return `${parts.filter(Boolean).join(' ')} left`;
}

/** How long before its start a reservation shows its check-in control (the exact window
 * comes from the server; this only avoids asking for every reservation on the page). */
export const CHECK_IN_LOOKAHEAD_MS = 2 * 3_600_000;

/** Is `now` within [start - lookahead, end)? */
export function nearStart(startIso: string, endIso: string, now: Date = new Date()): boolean {
  const start = new Date(startIso).getTime();
  const end = new Date(endIso).getTime();
  return now.getTime() >= start - CHECK_IN_LOOKAHEAD_MS && now.getTime() < end;
}

export type WindowState = 'before' | 'open' | 'closed';

/** Where `now` is relative to a check-in window [opensAt, closesAt]. */
export function windowState(opensAt: string, closesAt: string, now: Date = new Date()): WindowState {
  if (now.getTime() < new Date(opensAt).getTime()) return 'before';
  return now.getTime() <= new Date(closesAt).getTime() ? 'open' : 'closed';
}
