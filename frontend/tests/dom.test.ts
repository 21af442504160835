// Data becomes text, never markup; every API error is shown in words.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api/client';
import { h } from '../src/components/dom';
import { errorBox, showError } from '../src/components/errors';

describe('showError', () => {
  it('renders the message, the code and the conflicting windows as text in an alert', () => {
    const box = errorBox();
    document.body.append(box);
    const conflicts = [{ start_time: '2030-01-15T09:00:00Z', end_time: '2030-01-15T10:00:00Z', reservation_id: 'r1' }];
    showError(box, new ApiError(409, 'reservation_conflict', '<img src=x onerror=alert(1)>', { conflicts }));
    expect(box.querySelectorAll('img')).toHaveLength(0);
    expect(box.textContent).toContain('<img src=x onerror=alert(1)>');
    expect(box.textContent).toContain('(reservation_conflict)');
    expect(box.textContent).toContain('your reservation r1');
    expect(box.getAttribute('role')).toBe('alert');
    expect(box.hidden).toBe(false);
  });

  it('lists the fields of a validation error', () => {
    const box = errorBox();
    showError(box, new ApiError(422, 'validation_error', 'Invalid input', [{ field: 'capacity', message: 'must be positive' }]));
    expect(box.querySelector('li')?.textContent).toBe('capacity: must be positive');
  });

  it('shows a plain Error too', () => {
    const box = errorBox();
    showError(box, new Error('The end must be after the start.'));
    expect(box.textContent).toBe('The end must be after the start.');
  });
});

describe('h', () => {
  it('sets text, attributes, properties and handlers without parsing markup', () => {
    let clicked = 0;
    const node = h('button', { class: 'b', text: '<b>x</b>', disabled: true, 'aria-label': 'go', onclick: () => { clicked += 1; } });
    expect(node.textContent).toBe('<b>x</b>');
    expect(node.children).toHaveLength(0);
    expect(node.disabled).toBe(true);
    expect(node.getAttribute('aria-label')).toBe('go');
    node.disabled = false;
    node.click();
    expect(clicked).toBe(1);
  });
});
