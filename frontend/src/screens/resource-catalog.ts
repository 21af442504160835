// The resource browser's catalog14 parts, kept apart from resources.ts: label chips on a
// card, the label filter (all or any), and saved searches (save the current filters, run one,
// delete one). Only the signed-in user's own searches are ever listed (the API is owner-only).
import * as catalog from '../api/catalog';
import type * as resources from '../api/resources';
import { toast } from '../components/dialog';
import { clear, field, h, select } from '../components/dom';
import { errorBox, guarded } from '../components/errors';
import type { Session } from '../state';

export interface LabelFilters {
  labels: Set<string>;
  labelMatch: 'all' | 'any';
}

let known: Promise<Map<string, catalog.Label>> | null = null;

/** The label list, read once per page load (labels change rarely). */
export function labelIndex(session: Session): Promise<Map<string, catalog.Label>> {
  known ??= catalog.labels(session.api).then(
    (answer) => new Map(answer.items.map((label) => [label.label_id, label])),
    () => new Map(),
  );
  return known;
}

/** A card's label chips (coloured dot + `category:value`), filled in when the labels load. */
export function labelChips(session: Session, resource: resources.Resource): HTMLElement | null {
  if (!resource.labels?.length) return null;
  const list = h('ul', { class: 'tags labels', 'aria-label': 'Labels' });
  void labelIndex(session).then((index) => {
    for (const id of resource.labels ?? []) {
      const label = index.get(id);
      if (!label) continue;
      const dot = h('span', { class: 'label-dot', 'aria-hidden': 'true' });
      dot.style.backgroundColor = label.color;
      list.append(h('li', { class: 'label-chip' }, dot, label.name));
    }
  });
  return list;
}

/** Label checkboxes plus the all/any switch; hidden when no label exists. */
export function labelFilter(session: Session, filters: LabelFilters, onChange: () => void): HTMLElement {
  const box = h('fieldset', { class: 'tag-filter label-filter' }, h('legend', { text: 'Labels' }));
  const match = select('label_match', [['all', 'All must match'], ['any', 'Any may match']], filters.labelMatch);
  match.addEventListener('change', () => { filters.labelMatch = match.value === 'any' ? 'any' : 'all'; onChange(); });
  box.append(field('Match', match));
  void labelIndex(session).then((index) => {
    if (!index.size) { box.hidden = true; return; }
    for (const label of index.values()) {
      const input = h('input', { type: 'checkbox', value: label.label_id, name: 'label', checked: filters.labels.has(label.label_id) });
      input.addEventListener('change', () => {
        if (input.checked) filters.labels.add(label.label_id);
        else filters.labels.delete(label.label_id);
        onChange();
      });
      box.append(h('label', { class: 'chip' }, input, ' ', label.name));
    }
  });
  return box;
}

/**
 * Saved searches: a name field and Save (stores `current()`), then one row per saved search
 * with Run (hands its filters to `apply`) and Delete.
 */
export function savedSearches(
  session: Session, current: () => Record<string, unknown>, apply: (filters: Record<string, unknown>) => void,
): HTMLElement {
  const box = errorBox();
  const name = h('input', { name: 'saved_name', maxlength: '100', autocomplete: 'off' });
  const list = h('ul', { class: 'saved-searches', 'aria-label': 'Saved searches' });
  const reload = async (): Promise<void> => {
    const answer = await guarded(box, () => catalog.savedSearches(session.api));
    if (!answer) return;
    clear(list);
    for (const saved of answer.items) {
      list.append(h('li', { dataset: { searchId: saved.search_id } },
        h('button', { type: 'button', class: 'button small', text: saved.name, 'aria-label': `Run saved search ${saved.name}`,
          onclick: () => apply(saved.filters) }),
        h('button', { type: 'button', class: 'icon-button', text: '×', 'aria-label': `Delete saved search ${saved.name}`,
          onclick: () => void guarded(box, async () => {
            await catalog.deleteSearch(session.api, saved.search_id);
            await reload();
          }) })));
    }
  };
  const save = h('button', { type: 'button', class: 'button', text: 'Save search', onclick: () => void guarded(box, async () => {
    await catalog.saveSearch(session.api, { name: name.value.trim(), filters: current() });
    toast(`Saved search ${name.value.trim()}.`);
    name.value = '';
    await reload();
  }) });
  void reload();
  return h('section', { class: 'saved-search-bar', 'aria-label': 'Saved searches' },
    box, h('div', { class: 'row' }, field('Name this search', name), save), list);
}
