// A list fed by a cursor-paginated endpoint ({items, next_cursor}): "Load more" asks for the
// next page with the cursor the server gave; the server never loads everything for us.
import { clearError, errorBox, h, showError } from './dom.js';

/** Tolerate the page shapes an endpoint may use: {items, next_cursor} or a bare list. */
export function pageOf(response) {
  if (Array.isArray(response)) return { items: response, next: null };
  const items = response?.items ?? response?.results ?? response?.reservations ?? response?.users ?? [];
  return { items, next: response?.next_cursor ?? response?.cursor ?? null };
}

// A filtered listing may answer a short (even empty) page with a cursor: the server reads a
// bounded number of index pages per call. We follow the cursor a few times to fill the page.
const MAX_FOLLOW = 5;

/**
 * fetchPage(cursor, limit) -> Promise<response>; renderItem(item) -> Node.
 * Returns {element, reload(), prepend(item), pending()}. `tag` is the list element; `keyOf`
 * (item -> id) keeps an item prepended during a reload from showing twice.
 * The list carries aria-busy while what it shows is not yet the answer to the latest query
 * (from the first keystroke of a search, through its debounce, until its page arrives).
 */
export function pagedList({
  fetchPage, renderItem, emptyText = 'Nothing here yet.', label, tag = 'ul', listClass = 'cards', pageSize = 20,
  keyOf = null,
}) {
  const list = h(tag, { class: listClass, 'aria-label': label, 'aria-live': 'off' });
  const status = h('p', { class: 'list-status', role: 'status' });
  const box = errorBox();
  const more = h('button', { type: 'button', class: 'button', hidden: true, text: 'Load more' });
  let cursor = null;
  let count = 0;
  let generation = 0;
  let pinned = [];  // created while a reset load was in flight: kept on top when it lands

  async function fetchFilled(from) {
    let { items, next } = pageOf(await fetchPage(from, pageSize));
    for (let follow = 0; next && items.length < pageSize && follow < MAX_FOLLOW; follow += 1) {
      const extra = pageOf(await fetchPage(next, pageSize - items.length));
      items = items.concat(extra.items);
      next = extra.next;
    }
    return { items, next };
  }

  async function load(reset) {
    const mine = reset ? ++generation : generation;
    if (reset) {
      pinned = [];
      more.hidden = true;  // a "Load more" now would continue the previous query
    }
    more.disabled = true;
    list.setAttribute('aria-busy', 'true');
    clearError(box);
    try {
      const { items, next } = await fetchFilled(reset ? null : cursor);
      if (mine !== generation) return;  // a newer query replaced this one
      if (reset) {
        list.replaceChildren(...pinned);
        count = pinned.length;
      }
      const shown = new Set(pinned.map((node) => node.dataset.key));
      const fresh = items.filter((item) => !keyOf || !shown.has(String(keyOf(item))));
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

  /** Show an item the user just created at the top, without losing their place. */
  function prepend(item) {
    const node = renderItem(item);
    node.classList.add('fresh');
    if (keyOf) node.dataset.key = String(keyOf(item));
    list.prepend(node);
    pinned.push(node);
    count += 1;
  }

  more.addEventListener('click', () => load(false));
  const element = h('div', { class: 'paged' }, box, list, status, h('div', { class: 'more' }, more));
  load(true);
  return {
    element,
    reload: () => load(true),
    prepend,
    // The query changed and its reload is coming (debounce): whatever is in flight is stale.
    pending: () => {
      generation += 1;
      more.hidden = true;
      list.setAttribute('aria-busy', 'true');
    },
  };
}
