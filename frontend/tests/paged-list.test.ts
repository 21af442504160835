// Cursor paging: a short filtered page is filled by following the cursor; "Load more" goes on
// from the server's cursor; an answer to an older query never replaces a newer one.
import { describe, expect, it } from 'vitest';
import { pagedList, pagedTable, type Page } from '../src/components/paged-list';
import { h } from '../src/components/dom';

const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
const item = (n: number): HTMLElement => h('li', { text: `item ${n}` });

describe('pagedList', () => {
  it('follows the cursor to fill a page, then loads more on demand', async () => {
    const pages: Record<string, Page<number>> = {
      start: { items: [1], next_cursor: 'a' },
      a: { items: [2, 3], next_cursor: 'b' },
      b: { items: [4], next_cursor: null },
    };
    const asked: (string | null)[] = [];
    const list = pagedList<number>({
      label: 'Numbers', pageSize: 3, renderItem: item,
      fetchPage: (cursor) => { asked.push(cursor); return Promise.resolve(pages[cursor ?? 'start']); },
    });
    await flush();
    expect([...list.list.children].map((n) => n.textContent)).toEqual(['item 1', 'item 2', 'item 3']);
    const more = list.element.querySelector<HTMLButtonElement>('.more button');
    expect(more?.hidden).toBe(false);
    more?.click();
    await flush();
    expect(list.list.children).toHaveLength(4);
    expect(asked).toEqual([null, 'a', 'b']);
    expect(more?.hidden).toBe(true);
    expect(list.element.querySelector('[role=status]')?.textContent).toBe('Showing 4.');
  });

  it('keeps the newest query when answers arrive out of order', async () => {
    let release: (page: Page<number>) => void = () => undefined;
    let calls = 0;
    const list = pagedList<number>({
      label: 'Numbers', renderItem: item,
      fetchPage: () => {
        calls += 1;
        if (calls === 1) return new Promise((resolve) => { release = resolve; });
        return Promise.resolve({ items: [2], next_cursor: null });
      },
    });
    await list.reload();
    release({ items: [1], next_cursor: null });
    await flush();
    expect([...list.list.children].map((n) => n.textContent)).toEqual(['item 2']);
  });

  it('shows a failed page in words', async () => {
    const list = pagedList<number>({ label: 'Numbers', renderItem: item, fetchPage: () => Promise.reject(new Error('The list is down.')) });
    await flush();
    const alert = list.element.querySelector<HTMLElement>('[role=alert]');
    expect(alert?.hidden).toBe(false);
    expect(alert?.textContent).toBe('The list is down.');
  });
});

describe('pagedTable', () => {
  it('puts the rows in a captioned table with column headers', async () => {
    const table = pagedTable<number>(['When', 'What'], {
      label: 'Log', renderItem: (n) => h('tr', {}, h('td', { text: String(n) }), h('td', { text: 'x' })),
      fetchPage: () => Promise.resolve({ items: [7], next_cursor: null }),
    });
    await flush();
    expect(table.element.querySelector('caption')?.textContent).toBe('Log');
    expect([...table.element.querySelectorAll('th')].map((th) => th.textContent)).toEqual(['When', 'What']);
    expect(table.element.querySelectorAll('tbody tr')).toHaveLength(1);
  });
});
