// A 429 (API rate limit, issue 13) is shown in words: how long to wait, from Retry-After.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api/client';
import { errorBox, retryText, showError } from '../src/components/errors';

describe('a 429 in words', () => {
  it('tells how long to wait', () => {
    const box = errorBox();
    const details = { retry_after: 17, limit: 600, window_seconds: 60, route_class: 'all' };
    showError(box, new ApiError(429, 'rate_limited', 'too many requests: at most 600 per 60 s', details, '17'));
    expect(box.textContent).toContain('at most 600 per 60 s');
    expect(box.textContent).toContain('please wait 17 seconds and try again');
  });

  it('counts long waits in minutes and says nothing without a usable Retry-After', () => {
    expect(retryText(new ApiError(429, 'too_many_attempts', 'wait', null, '900'))).toContain('15 minutes');
    expect(retryText(new ApiError(429, 'rate_limited', 'wait', null, null))).toBeNull();
    expect(retryText(new ApiError(503, 'unavailable', 'down', null, '5'))).toBeNull();
  });
});

describe('a refused series occurrence', () => {
  it('lists its Plan B alternatives under it', () => {
    const box = errorBox();
    const occurrence = {
      occurrence: 2, start_time: '2030-01-15T10:00:00Z', end_time: '2030-01-15T11:00:00Z',
      conflicts: [{ start_time: '2030-01-15T10:00:00Z', end_time: '2030-01-15T11:00:00Z' }],
      alternatives: [{ start_time: '2030-01-15T11:00:00Z', end_time: '2030-01-15T12:00:00Z', resource_name: 'Room B' }],
    };
    showError(box, new ApiError(409, 'series_conflict', 'occurrences are taken', { occurrences: [occurrence] }, null));
    expect(box.textContent).toContain('#3 ');
    expect(box.querySelector('ul.alternatives')?.textContent).toContain('Free instead:');
    expect(box.querySelector('ul.alternatives')?.textContent).toContain('on Room B');
  });
});
