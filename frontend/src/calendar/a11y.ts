// The calendar library marks its grid up as an ARIA table whose structure does not hold
// (cells and row headers outside rows, a toolbar inside the table): axe reports critical
// violations and screen readers announce a broken table. We flatten those roles (the grid
// stays a visual, pointer-driven view), make its scroller reachable by keyboard, and give
// screen readers the same information as text: a list of the blocks shown (eventsSummary).
// A MutationObserver re-applies this whenever the library re-renders.
const TABLE_ROLES = new Set(['table', 'rowgroup', 'row', 'cell', 'gridcell', 'rowheader', 'columnheader']);
// Table-only attributes, not allowed once the roles are gone.
const TABLE_ATTRIBUTES = ['aria-colindex', 'aria-rowindex', 'aria-colspan', 'aria-rowspan', 'aria-colcount', 'aria-rowcount'];

export function flattenGrid(root: HTMLElement): void {
  for (const el of root.querySelectorAll<HTMLElement>('[role]')) {
    if (!TABLE_ROLES.has(el.getAttribute('role') ?? '')) continue;
    el.setAttribute('role', 'none');
    const label = el.getAttribute('aria-label');
    if (label !== null) {
      el.removeAttribute('aria-label');
      if (label && !el.title) el.title = label;
    }
  }
  for (const name of TABLE_ATTRIBUTES) {
    for (const el of root.querySelectorAll(`[${name}]`)) el.removeAttribute(name);
  }
  for (const scroller of root.querySelectorAll<HTMLElement>('.ec-main')) {
    if (scroller.tabIndex !== 0) scroller.tabIndex = 0;
  }
}

/** Keep `root` flattened as the library renders into it; returns the disconnect function. */
export function keepFlat(root: HTMLElement): () => void {
  let queued = false;
  const observer = new MutationObserver(() => {
    if (queued) return;
    queued = true;
    queueMicrotask(() => {
      queued = false;
      flattenGrid(root);
    });
  });
  observer.observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ['role', 'aria-label', ...TABLE_ATTRIBUTES] });
  flattenGrid(root);
  return () => observer.disconnect();
}
