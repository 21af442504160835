// Times typed in the browser get the browser's offset for THAT date; the calendar converts
// between instants and a resource's wall clock.
import { describe, expect, it } from 'vitest';
import { addDays, instantFromWallClock, localInputToIso, wallClockIn, weekdayOfDay } from '../src/lib/time';

describe('localInputToIso (browser in Europe/Paris)', () => {
  it('gives each date the offset in force on it; a time in the DST gap moves on', () => {
    expect(['2030-01-15T10:00', '2030-07-15T10:00', '2030-03-31T02:30'].map(localInputToIso)).toEqual([
      '2030-01-15T10:00:00+01:00',
      '2030-07-15T10:00:00+02:00',
      '2030-03-31T03:30:00+02:00',
    ]);
  });

  it('refuses what is not a date', () => {
    expect(() => localInputToIso('tomorrow')).toThrow('is not a valid date and time');
  });
});

describe('wall clock in a named zone', () => {
  it('shows an instant as the wall-clock time of the zone', () => {
    const instant = new Date('2030-07-15T08:00:00Z');
    expect(wallClockIn(instant, 'America/New_York')).toBe('2030-07-15T04:00:00');
    expect(wallClockIn(instant, 'Asia/Tokyo')).toBe('2030-07-15T17:00:00');
  });

  it('finds the instant of a wall-clock time, across DST changes', () => {
    expect(instantFromWallClock('2030-01-15T09:00', 'America/New_York').toISOString()).toBe('2030-01-15T14:00:00.000Z');
    expect(instantFromWallClock('2030-07-15T09:00', 'America/New_York').toISOString()).toBe('2030-07-15T13:00:00.000Z');
    // 02:30 does not exist in Paris on 31 March 2030: moved forward by the gap
    expect(instantFromWallClock('2030-03-31T02:30', 'Europe/Paris').toISOString()).toBe('2030-03-31T01:30:00.000Z');
    // 02:30 happens twice on 27 October 2030: the first one
    expect(instantFromWallClock('2030-10-27T02:30', 'Europe/Paris').toISOString()).toBe('2030-10-27T00:30:00.000Z');
  });

  it('round-trips every hour of a DST day', () => {
    for (let hour = 0; hour < 24; hour += 1) {
      const wall = `2030-10-27T${String(hour).padStart(2, '0')}:15:00`;
      expect(wallClockIn(instantFromWallClock(wall, 'Europe/Paris'), 'Europe/Paris')).toBe(wall);
    }
  });

  it('moves dates by calendar days and names weekdays from Monday', () => {
    expect(addDays('2030-12-31', 1)).toBe('2031-01-01');
    expect(weekdayOfDay('2030-07-15')).toBe(0);
    expect(weekdayOfDay('2030-07-21')).toBe(6);
  });
});
