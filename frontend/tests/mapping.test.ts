// Grid mapping: blocks, closed hours and blackouts in the right zone; selections back to instants.
import { describe, expect, it } from 'vitest';
import { blockEvent, blockLabel, closedEvents, closedIntervals, overlapsBusy, selectionWindow } from '../src/calendar/mapping';

const WEEKDAYS = { mon: { opens: '08:00', closes: '18:00' }, tue: { opens: '08:00', closes: '18:00' }, wed: { opens: '08:00', closes: '18:00' }, thu: { opens: '08:00', closes: '18:00' }, fri: { opens: '08:00', closes: '24:00' }, sat: null, sun: null };

describe('blocks', () => {
  it('calls others\' bookings busy and distinguishes mine, held and pending', () => {
    expect(blockLabel({ mine: false, status: 'pending_approval' }).kind).toBe('busy');
    expect(blockLabel({ mine: true, status: 'active' }).kind).toBe('mine');
    expect(blockLabel({ mine: true, status: 'held' }).kind).toBe('held');
    expect(blockLabel({ mine: true, status: 'pending_approval' }).kind).toBe('pending');
  });

  it('places a block at the wall-clock time of the display zone', () => {
    const event = blockEvent({ start_time: '2030-07-15T08:00:00Z', end_time: '2030-07-15T09:30:00Z', status: 'active', mine: false }, 'r1', 'America/New_York');
    expect([event.start, event.end, event.title, event.resourceId]).toEqual(['2030-07-15T04:00:00', '2030-07-15T05:30:00', 'Busy', 'r1']);
  });
});

describe('closed time', () => {
  it('shades outside the hours, closed days and blackout dates', () => {
    // 2030-07-19 is a Friday (open until midnight), 20-21 the weekend
    const closed = closedIntervals(WEEKDAYS, [{ start_date: '2030-07-18', end_date: '2030-07-18', reason: 'Holiday' }], '2030-07-18', '2030-07-21');
    expect(closed).toEqual([
      { start: '2030-07-18T00:00:00', end: '2030-07-18T08:00:00', kind: 'closed' },
      { start: '2030-07-18T18:00:00', end: '2030-07-19T00:00:00', kind: 'closed' },
      { start: '2030-07-19T00:00:00', end: '2030-07-19T08:00:00', kind: 'closed' },
      { start: '2030-07-20T00:00:00', end: '2030-07-21T00:00:00', kind: 'closed' },
      { start: '2030-07-18T00:00:00', end: '2030-07-19T00:00:00', kind: 'blackout', reason: 'Holiday' },
    ]);
  });

  it('shades nothing for a resource that is always open', () => {
    expect(closedIntervals(null, [], '2030-07-15', '2030-07-22')).toEqual([]);
  });

  it('moves a resource\'s hours into the display zone (Tokyo room seen from Paris)', () => {
    const events = closedEvents('r1', WEEKDAYS, [], 'Asia/Tokyo', 'Europe/Paris', '2030-07-16', '2030-07-17');
    // Tokyo opens 08:00 = 01:00 in Paris (UTC+9 vs UTC+2)
    expect(events.map((e) => [e.start, e.end])).toContainEqual(['2030-07-15T17:00:00', '2030-07-16T01:00:00']);
    expect(events.every((e) => e.display === 'background')).toBe(true);
  });
});

describe('selection', () => {
  it('turns a drag on the grid into instants of the display zone', () => {
    const window = selectionWindow('2030-01-15T10:00:00', '2030-01-15T11:30:00', 'America/New_York');
    expect([window.start.toISOString(), window.end.toISOString()]).toEqual(['2030-01-15T15:00:00.000Z', '2030-01-15T16:30:00.000Z']);
    const busy = [{ start_time: '2030-01-15T16:00:00Z', end_time: '2030-01-15T17:00:00Z', status: 'active', mine: false }];
    expect(overlapsBusy(window, busy)).toBe(true);
    expect(overlapsBusy(selectionWindow('2030-01-15T11:00:00', '2030-01-15T11:30:00', 'UTC'), busy)).toBe(false);
  });
});
