import { describe, expect, it } from 'vitest';
import { countdownText, countdownWords, nearStart, windowState } from '../src/lib/countdown';

const now = new Date('2026-11-24T10:00:00Z');

describe('countdown', () => {
  it('shows minutes and seconds, hours past an hour, and expired at zero', () => {
    expect(countdownText('2026-11-24T10:12:05Z', now)).toBe('12:05');
    expect(countdownText('2026-11-24T10:00:09Z', now)).toBe('0:09');
    expect(countdownText('2026-11-24T11:02:05Z', now)).toBe('1:02:05');
    expect(countdownText('2026-11-24T10:00:00Z', now)).toBe('expired');
    expect(countdownText('2026-11-24T09:00:00Z', now)).toBe('expired');
    expect(countdownText('not a date', now)).toBe('expired');
  });

  it('has words for screen readers', () => {
    expect(countdownWords('2026-11-24T10:12:05Z', now)).toBe('12 minutes 5 seconds left');
    expect(countdownWords('2026-11-24T10:01:01Z', now)).toBe('1 minute 1 second left');
    expect(countdownWords('2026-11-24T09:59:00Z', now)).toBe('expired');
  });
});

describe('check-in', () => {
  it('offers the control from two hours before the start until the end', () => {
    expect(nearStart('2026-11-24T11:30:00Z', '2026-11-24T12:00:00Z', now)).toBe(true);
    expect(nearStart('2026-11-24T12:30:00Z', '2026-11-24T13:00:00Z', now)).toBe(false);
    expect(nearStart('2026-11-24T09:00:00Z', '2026-11-24T10:00:00Z', now)).toBe(false);
  });

  it('places now before, inside or after the window', () => {
    expect(windowState('2026-11-24T10:05:00Z', '2026-11-24T10:35:00Z', now)).toBe('before');
    expect(windowState('2026-11-24T09:45:00Z', '2026-11-24T10:15:00Z', now)).toBe('open');
    expect(windowState('2026-11-24T09:15:00Z', '2026-11-24T09:45:00Z', now)).toBe('closed');
  });
});
