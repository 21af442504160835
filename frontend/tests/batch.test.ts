import { describe, expect, it } from 'vitest';
import { BATCH_MAX, blocksOf, chunks, type SchedulesAnswer } from '../src/calendar/batch';

const block = { start_time: '2026-11-25T09:00:00.000Z', end_time: '2026-11-25T10:00:00.000Z', status: 'active' as const, mine: false };

describe('chunks', () => {
  it('cuts 450 ids into runs of the batch size, in order', () => {
    const ids = Array.from({ length: 450 }, (_, i) => `r${i}`);
    const runs = chunks(ids, BATCH_MAX);
    expect(runs.map((r) => r.length)).toEqual([200, 200, 50]);
    expect(runs.flat()).toEqual(ids);
  });
  it('gives nothing for nothing and refuses a size below one', () => {
    expect(chunks([], 3)).toEqual([]);
    expect(() => chunks([1], 0)).toThrow(RangeError);
  });
});

describe('blocksOf', () => {
  const answer: SchedulesAnswer = {
    schedules: [
      { resource_id: 'a', blocks: [block], complete: true },
      { resource_id: 'b', blocks: [block], complete: false },
      { resource_id: 'c', blocks: [], complete: true },
    ],
    missing: ['gone'],
  };
  it('hands a complete schedule its blocks', () => {
    expect(blocksOf(answer, 'a')).toEqual([block]);
    expect(blocksOf(answer, 'c')).toEqual([]);
  });
  it('asks for the own pages of a capped schedule or one the batch did not name', () => {
    expect(blocksOf(answer, 'b')).toBeNull();
    expect(blocksOf(answer, 'other')).toBeNull();
  });
  it('gives a deleted resource no blocks', () => {
    expect(blocksOf(answer, 'gone')).toEqual([]);
  });
});
