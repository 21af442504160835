// Resources tab: search, tag filter (all chosen tags must match), free-window / capacity /
// building filters, cursor pagination, and per resource the Reserve and Schedule dialogs.
import * as resources from '../api/resources';
import { badge, card, meta, statusText } from '../components/badge';
import { field, h } from '../components/dom';
import { debounced, pagedList } from '../components/paged-list';
import { browserTimeZone, localInputToIso, type TimeWindow } from '../lib/time';
import type { Session } from '../state';
import { openReserve, openSchedule } from './booking';
import { labelChips, labelFilter, savedSearches, type LabelFilters } from './resource-catalog';

export const PAGE_SIZE = 12;

export interface Filters extends LabelFilters {
  q: string;
  tags: Set<string>;
  from: string;
  until: string;
  capacity: string;
  building: string;
}

export const noFilters = (): Filters => ({
  q: '', tags: new Set(), from: '', until: '', capacity: '', building: '', labels: new Set(), labelMatch: 'all',
});

/**
 * The query of the listing. The free window goes out as typed, one bound alone included: the
 * API answers that with 422 `incomplete_window`, which the list shows in its alert box.
 * An unparsable date-time throws, and the list shows that error the same way.
 */
export function listQuery(filters: Filters, cursor: string | null, limit: number): resources.ResourceQuery {
  return {
    limit,
    cursor,
    q: filters.q || undefined,
    tags: [...filters.tags],
    available_from: filters.from ? localInputToIso(filters.from) : undefined,
    available_until: filters.until ? localInputToIso(filters.until) : undefined,
    capacity_min: filters.capacity ? Number(filters.capacity) : undefined,
    building: filters.building || undefined,
    labels: [...filters.labels],
    label_match: filters.labels.size ? filters.labelMatch : undefined,
  };
}

/** The Reserve dialog's pre-filled window when the list is filtered by a free window. */
function filterWindow(filters: Filters): TimeWindow | null {
  if (!filters.from || !filters.until) return null;
  const start = new Date(filters.from);
  const end = new Date(filters.until);
  return Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || end <= start ? null : { start, end };
}

/** The catalogue filters (search, free window, capacity, building, tags): shared with the calendar. */
export function filterBar(
  session: Session,
  filters: Filters,
  onChange: () => void,
  pending: () => void,
  options: { searchLabel?: string; freeWindow?: boolean } = {},
): HTMLElement {
  const search = h('input', { type: 'search', name: 'q', placeholder: 'Name or description', autocomplete: 'off', value: filters.q });
  const from = h('input', { type: 'datetime-local', name: 'available_from', step: '60' });
  const until = h('input', { type: 'datetime-local', name: 'available_until', step: '60' });
  const capacity = h('input', { type: 'number', name: 'capacity_min', min: '1', step: '1', inputmode: 'numeric', value: filters.capacity });
  const building = h('input', { type: 'text', name: 'building', autocomplete: 'off', maxlength: '100', value: filters.building });
  const tagBox = h('fieldset', { class: 'tag-filter' }, h('legend', { text: 'Tags (all must match)' }));
  const read = (): void => {
    filters.q = search.value.trim();
    filters.from = from.value;
    filters.until = until.value;
    filters.capacity = capacity.value.trim();
    filters.building = building.value.trim();
    onChange();
  };
  // Typing marks the list busy at once (its content no longer answers the query) and reloads
  // after a pause; Enter reloads now.
  const withWindow = options.freeWindow ?? true;
  debounced(withWindow ? [search, from, until, capacity, building] : [search, capacity, building], { pending }, read);
  void loadTags(session, tagBox, filters, onChange);
  const zone = browserTimeZone();
  return h('div', { class: 'toolbar', role: 'search' },
    field(options.searchLabel ?? 'Search resources', search),
    withWindow ? h('fieldset', { class: 'free-window' },
      h('legend', { text: 'Free for the whole window' }),
      h('div', { class: 'row' }, field('Free from', from), field('Free until', until)),
      h('p', { class: 'hint', text: `Both or neither; your browser's time zone (${zone}).` })) : null,
    h('div', { class: 'row filters' }, field('Capacity at least', capacity), field('Building', building)),
    tagBox,
    labelFilter(session, filters, onChange));
}

export function render(session: Session): HTMLElement {
  let filters = noFilters();
  const listing = pagedList<resources.Resource>({
    label: 'Resources',
    emptyText: 'No resources match.',
    pageSize: PAGE_SIZE,
    fetchPage: (cursor, limit) => resources.list(session.api, listQuery(filters, cursor, limit)),
    renderItem: (resource) => resourceCard(session, resource, filterWindow(filters)),
  });
  session.events.on('resources-changed', () => void listing.reload());
  const bar = (): HTMLElement => filterBar(session, filters, () => void listing.reload(), () => listing.pending());
  let shown = bar();
  // Saved searches (catalog14): running one replaces the filters and rebuilds the bar.
  const saved = savedSearches(session, () => savedFilters(filters), (stored) => {
    filters = fromSaved(stored);
    const next = bar();
    shown.replaceWith(next);
    shown = next;
    void listing.reload();
  });
  return h('div', { class: 'resources' }, saved, shown, listing.element);
}

/** The filters a saved search keeps: the list's own query names (no free window: it dates). */
function savedFilters(filters: Filters): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (filters.q) out.q = filters.q;
  if (filters.tags.size) out.tags = [...filters.tags];
  if (filters.capacity) out.capacity_min = Number(filters.capacity);
  if (filters.building) out.building = filters.building;
  if (filters.labels.size) { out.labels = [...filters.labels]; out.label_match = filters.labelMatch; }
  return out;
}

function fromSaved(stored: Record<string, unknown>): Filters {
  const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);
  return {
    ...noFilters(),
    q: typeof stored.q === 'string' ? stored.q : '',
    tags: new Set(list(stored.tags)),
    capacity: typeof stored.capacity_min === 'number' ? String(stored.capacity_min) : '',
    building: typeof stored.building === 'string' ? stored.building : '',
    labels: new Set(list(stored.labels)),
    labelMatch: stored.label_match === 'any' ? 'any' : 'all',
  };
}

async function loadTags(session: Session, box: HTMLFieldSetElement, filters: Filters, onChange: () => void): Promise<void> {
  const tags = await resources.tags(session.api).then((page) => page.items, () => []);
  if (!tags.length) {
    box.hidden = true;
    return;
  }
  for (const tag of tags) {
    const input = h('input', { type: 'checkbox', value: tag.tag, name: 'tag', checked: filters.tags.has(tag.tag) });
    input.addEventListener('change', () => {
      if (input.checked) filters.tags.add(tag.tag);
      else filters.tags.delete(tag.tag);
      onChange();
    });
    box.append(h('label', { class: 'chip' }, input, ' ', `${tag.tag} (${tag.count})`));
  }
}

export function isBookable(session: Session, resource: resources.Resource): boolean {
  return session.canBook && resource.status !== 'disabled' && resource.status !== 'maintenance';
}

function resourceCard(session: Session, resource: resources.Resource, window: TimeWindow | null): HTMLElement {
  const status = resource.status;
  return card(
    { class: 'resource', dataset: { resourceId: resource.resource_id } },
    h('h3', { text: resource.name }),
    badge(statusText(status), status),
    resource.description ? h('p', { class: 'description', text: resource.description }) : null,
    meta([
      ['Where', resources.locationText(resource)],
      ['Capacity', resource.capacity],
      ['Time zone', resource.timezone],
      ['Approval', resource.requires_approval && 'required'],
    ]),
    resource.tags.length ? h('ul', { class: 'tags', 'aria-label': 'Tags' }, resource.tags.map((tag) => h('li', { text: tag }))) : null,
    labelChips(session, resource),
    h('div', { class: 'actions' },
      h('button', {
        type: 'button', class: 'button primary', disabled: !isBookable(session, resource), 'aria-label': `Reserve ${resource.name}`,
        text: 'Reserve', onclick: () => openReserve(session, resource, window),
      }),
      h('button', {
        type: 'button', class: 'button', 'aria-label': `Schedule of ${resource.name}`,
        text: 'Schedule', onclick: () => openSchedule(session, resource),
      })),
  );
}
