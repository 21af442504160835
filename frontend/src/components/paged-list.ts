// A list fed by a cursor-paginated endpoint ({items, next_cursor}): "Load more" asks for the
// next page with the cursor the server gave; the server never loads everything for us.
// `pagedTable` is the same with rows of a table (admin screens).
import { h } from './dom';
import { clearError, errorBox, showError } from './errors';

export interface Page<T> { items?: T[]; next_cursor?: string | null }

// A filtered listing may answer a short (even empty) page with a cursor: the server reads a
// bounded number of index pages per call. We follow the cursor a few times to fill the page.
const MAX_FOLLOW = 5;

export interface PagedListOptions<T> {
  fetchPage: (cursor: string | null, limit: number) => Promise<Page<T>>;
  renderItem: (item: T) => HTMLElement;
  emptyText?: string;
  label: string;
  tag?: 'ul' | 'ol' | 'tbody';
  listClass?: string;
  pageSize?: number;
  /** Keeps an item prepended during a reload from showing twice. */
  keyOf?: (item: T) => string;
}

export interface PagedList<T> {
  element: HTMLElement;
  list: HTMLElement;
  reload(): Promise<void>;
  prepend(item: T): void;
  /** The query changed and its reload is coming (debounce): whatever is in flight is stale. */
  pending(): void;
}

/**
 * The list carries aria-busy while what it shows is not yet the answer to the latest query
 * (from the first keystroke of a search, through its debounce, until its page arrives).
 */
export function pagedList<T>(options: PagedListOptions<T>, wrap?: (list: HTMLElement) => HTMLElement): PagedList<T> {
  const { fetchPage, renderItem, emptyText = 'Nothing here yet.', label, tag = 'ul', listClass = 'cards', pageSize = 20, keyOf } = options;
  const list = h(tag, { class: listClass, 'aria-label': tag === 'tbody' ? null : label, 'aria-live': 'off' });
  const status = h('p', { class: 'list-status', role: 'status' });
  const box = errorBox();
  const more = h('button', { type: 'button', class: 'button', hidden: true, text: 'Load more' });
  let cursor: string | null = null;
  let count = 0;
  let generation = 0;
  let pinned: HTMLElement[] = []; // created while a reset load was in flight: kept on top when it lands

  async function fetchFilled(from: string | null): Promise<{ items: T[]; next: string | null }> {
    const first = await fetchPage(from, pageSize);
    let items = first.items ?? [];
    let next = first.next_cursor ?? null;
    for (let follow = 0; next && items.length < pageSize && follow < MAX_FOLLOW; follow += 1) {
      const extra = await fetchPage(next, pageSize - items.length);
      items = items.concat(extra.items ?? []);
      next = extra.next_cursor ?? null;
    }
    return { items, next };
  }

  async function load(reset: boolean): Promise<void> {
    const mine = reset ? ++generation : generation;
    if (reset) {
      pinned = [];
      more.hidden = true; // a "Load more" now would continue the previous query
    }
    more.disabled = true;
    list.setAttribute('aria-busy', 'true');
    clearError(box);
    try {
      const { items, next } = await fetchFilled(reset ? null : cursor);
      if (mine !== generation) return; // a newer query replaced this one
      if (reset) {
        list.replaceChildren(...pinned);
        count = pinned.length;
      }
      const shown = new Set(pinned.map((node) => node.dataset.key));
      const fresh = items.filter((item) => !keyOf || !shown.has(keyOf(item)));
      fresh.forEach((item) => list.append(renderItem(item)));
      count += fresh.length;
      cursor = next;
      more.hidden = !next;
      status.textContent = count === 0 ? emptyText : `Showing ${count}${next ? ' (more available)' : ''}.`;
    } catch (error) {
      if (mine === generation) showError(box, error);
    } finally {
      if (mine === generation) {
        more.disabled = false;
        list.removeAttribute('aria-busy');
      }
    }
  }

  function prepend(item: T): void {
    const node = renderItem(item);
    node.classList.add('fresh');
    if (keyOf) node.dataset.key = keyOf(item);
    list.prepend(node);
    pinned.push(node);
    count += 1;
    status.textContent = `Showing ${count}${more.hidden ? '' : ' (more available)'}.`;
  }

  more.addEventListener('click', () => void load(false));
  const element = h('div', { class: 'paged' }, box, wrap ? wrap(list) : list, status, h('div', { class: 'more' }, more));
  void load(true);
  return {
    element,
    list,
    reload: () => load(true),
    prepend,
    pending: () => {
      generation += 1;
      more.hidden = true;
      list.setAttribute('aria-busy', 'true');
    },
  };
}

/** A paged list shown as a table: `columns` are the header cells, renderItem gives a <tr>. */
export function pagedTable<T>(columns: string[], options: Omit<PagedListOptions<T>, 'tag'>): PagedList<T> {
  // Not the lists' default 'cards' class: its grid layout would take the rows out of the table.
  return pagedList({ listClass: 'table-body', ...options, tag: 'tbody' }, (body) => h('div', { class: 'table-wrap' },
    h('table', { class: 'data' },
      h('caption', { class: 'visually-hidden', text: options.label }),
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', text: c })))),
      body)));
}

/** Run `reload` after the user pauses typing (the list is marked busy at once). */
export function debounced(inputs: HTMLElement[], listing: { pending(): void }, reload: () => void, ms = 300): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  for (const input of inputs) {
    input.addEventListener('input', () => {
      listing.pending();
      clearTimeout(timer);
      timer = setTimeout(reload, ms);
    });
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') { clearTimeout(timer); reload(); }
    });
  }
}
