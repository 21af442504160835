// Pure helpers of the webhooks screen: the event picker's choice and a delivery's outcome.

/** What the API is sent: every event as ['*'], else the picked names in catalogue order. */
export function chosenEvents(catalogue: readonly string[], picked: ReadonlySet<string>, everything: boolean): string[] {
  if (everything) return ['*'];
  return catalogue.filter((name) => picked.has(name));
}

/** The picker's starting state for a webhook's stored events. */
export function pickerState(events: readonly string[]): { everything: boolean; picked: Set<string> } {
  return events.includes('*') ? { everything: true, picked: new Set() } : { everything: false, picked: new Set(events) };
}

interface AttemptLike { number: number; status_code?: number | null; ok: boolean; error: string; response_excerpt: string; latency_ms: number }

/** One line about a delivery's latest attempt: "HTTP 500 in 32 ms (attempt 2)", or why it was not sent. */
export function lastAttemptText(attempts: readonly AttemptLike[]): string {
  if (!attempts.length) return 'Not attempted yet.';
  const last = attempts.reduce((a, b) => (b.number > a.number ? b : a));
  const answer = last.status_code ? `HTTP ${last.status_code}` : `No answer${last.error ? `: ${last.error}` : ''}`;
  return `${answer} in ${last.latency_ms} ms (attempt ${last.number})`;
}

/** The latest attempt's response excerpt (what the receiver answered), or ''. */
export function lastExcerpt(attempts: readonly AttemptLike[]): string {
  if (!attempts.length) return '';
  return attempts.reduce((a, b) => (b.number > a.number ? b : a)).response_excerpt;
}
