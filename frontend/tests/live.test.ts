// Pushed messages become the app's named events; resource subscriptions are counted.
import { describe, expect, it } from 'vitest';
import { route } from '../src/live/routing';
import { LiveConnection } from '../src/live/socket';

describe('route', () => {
  it('turns a reservation notification into a list refresh and the notification', () => {
    const note = { kind: 'reservation.confirmed', title: 'Booked', data: { resource_id: 'r1' } };
    expect(route({ type: 'notification', notification: note }).map(([name]) => name))
      .toEqual(['reservations-changed', 'resource-activity', 'notification']);
  });

  it('routes a resource message by its resource id, whatever its type', () => {
    expect(route({ type: 'slot.taken', resource_id: 'r9', start_time: 'x', end_time: 'y' }))
      .toEqual([['resource-activity', { resourceId: 'r9', message: { type: 'slot.taken', resource_id: 'r9', start_time: 'x', end_time: 'y' } }]]);
    expect(route({ type: 'resource.maintenance_started', resource_id: 'r9' }).map(([name]) => name))
      .toEqual(['resource-activity', 'resources-changed']);
  });

  it('routes each entry of a live message (v1) as a message of its own', () => {
    const live = {
      type: 'live', v: 1,
      events: [
        { event: 'slot.taken', resource_id: 'r1', start_time: 'x', end_time: 'y' },
        { event: 'resource.hours_changed', resource_id: 'r2' },
        { event: 'reservation.cancelled', reservation_id: 'b1', resource_id: 'r1' },
      ],
    };
    expect(route(live).map(([name]) => name)).toEqual([
      'resource-activity', 'resource-activity', 'resources-changed',
      'reservations-changed', 'resource-activity',
    ]);
  });

  it('routes waitlist and approval entries to their screens (issue 10)', () => {
    const live = {
      type: 'live', v: 1,
      events: [
        { event: 'waitlist.offered', entry_id: 'w1', resource_id: 'r1', offer_expires_at: 'z' },
        { event: 'approval.queue_changed', reservation_id: 'b2', resource_id: 'r2', change: 'added', step: 0 },
      ],
    };
    expect(route(live).map(([name]) => name)).toEqual([
      'waitlist-changed', 'resource-activity', 'approvals-changed', 'resource-activity',
    ]);
  });

  it('ignores what it does not know', () => {
    expect(route({ type: 'subscribed', something: 1 })).toEqual([]);
  });
});

describe('LiveConnection', () => {
  it('hands messages to the handlers of their type and to the catch-all', () => {
    const live = new LiveConnection('ws://test', () => Promise.resolve('t'));
    const seen: string[] = [];
    live.on('slot.freed', (m) => seen.push(`typed:${String(m.type)}`));
    live.on('*', (m) => seen.push(`all:${String(m.type)}`));
    live.receive(JSON.stringify({ type: 'slot.freed', resource_id: 'r1' }));
    live.receive('not json');
    expect(seen).toEqual(['typed:slot.freed', 'all:slot.freed']);
  });

  it('keeps a resource watched until its last watcher leaves', () => {
    const live = new LiveConnection('ws://test', () => Promise.resolve('t'));
    const first = live.watchResource('r1');
    const second = live.watchResource('r1');
    first();
    first();
    expect(live.watched()).toEqual(['resource:r1']);
    second();
    expect(live.watched()).toEqual([]);
  });
});
