// Resources tab: search, tag filter (all chosen tags must match), free-window / capacity /
// building filters, cursor pagination, and per resource the Reserve and Schedule dialogs.
import { badge, field, h } from '../dom.js';
import { pagedList } from '../paging.js';
import { browserTimeZone, localInputToIso } from '../time.js';
import { openReserve, openSchedule } from './booking.js';

export const PAGE_SIZE = 12;

/** GET /resources/tags may answer a list of names or of {tag|name, count}; normalise. */
export function tagsOf(response) {
  const raw = Array.isArray(response) ? response : response?.items ?? response?.tags ?? [];
  return raw
    .map((entry) => (typeof entry === 'string'
      ? { name: entry, count: null }
      : { name: entry.tag ?? entry.name, count: entry.count ?? entry.resource_count ?? null }))
    .filter((entry) => entry.name);
}

export function locationText(resource) {
  const loc = resource.location || {};
  return [loc.building, loc.floor && `floor ${loc.floor}`, loc.room && `room ${loc.room}`].filter(Boolean).join(', ');
}

export function resourceStatus(resource) {
  if (resource.status) return resource.status;
  return resource.enabled === false ? 'disabled' : 'available';
}

/**
 * The query of the listing. The free window goes out as typed, one bound alone included: the
 * API answers that with 422 `incomplete_window`, which the list shows in its alert box.
 * An unparsable date-time throws, and the list shows that error the same way.
 */
export function listQuery(filters, cursor, limit) {
  return {
    limit,
    cursor,
    q: filters.q || undefined,
    tags: [...filters.tags],
    available_from: filters.from ? localInputToIso(filters.from) : undefined,
    available_until: filters.until ? localInputToIso(filters.until) : undefined,
    capacity_min: filters.capacity || undefined,
    building: filters.building || undefined,
  };
}

/** The Reserve dialog's pre-filled window when the list is filtered by a free window. */
function filterWindow(filters) {
  if (!filters.from || !filters.until) return null;
  const start = new Date(filters.from);
  const end = new Date(filters.until);
  return Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || end <= start ? null : { start, end };
}

export function renderResources(ctx) {
  const filters = { q: '', tags: new Set(), from: '', until: '', capacity: '', building: '' };
  const search = h('input', { type: 'search', name: 'q', placeholder: 'Name or description', autocomplete: 'off' });
  const from = h('input', { type: 'datetime-local', name: 'available_from', step: '60' });
  const until = h('input', { type: 'datetime-local', name: 'available_until', step: '60' });
  const capacity = h('input', { type: 'number', name: 'capacity_min', min: '1', step: '1', inputmode: 'numeric' });
  const building = h('input', { type: 'text', name: 'building', autocomplete: 'off', maxlength: '100' });
  const tagBox = h('fieldset', { class: 'tag-filter' }, h('legend', { text: 'Tags (all must match)' }));
  const listing = pagedList({
    label: 'Resources',
    emptyText: 'No resources match.',
    pageSize: PAGE_SIZE,
    fetchPage: async (cursor, limit) => ctx.api.get('/api/v1/resources', listQuery(filters, cursor, limit)),
    renderItem: (resource) => resourceCard(ctx, resource, filterWindow(filters)),
  });

  function read() {
    filters.q = search.value.trim();
    filters.from = from.value;
    filters.until = until.value;
    filters.capacity = capacity.value.trim();
    filters.building = building.value.trim();
  }
  // Typing marks the list busy at once (its content no longer answers the query) and reloads
  // after a pause; Enter reloads now.
  let timer = null;
  for (const input of [search, from, until, capacity, building]) {
    input.addEventListener('input', () => {
      listing.pending();
      clearTimeout(timer);
      timer = setTimeout(() => { read(); listing.reload(); }, 300);
    });
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') { clearTimeout(timer); read(); listing.reload(); }
    });
  }
  loadTags(ctx, tagBox, filters, () => listing.reload());
  ctx.on('resources-changed', () => listing.reload());

  const zone = browserTimeZone();
  return h(
    'div',
    { class: 'resources' },
    h('div', { class: 'toolbar', role: 'search' },
      field('Search resources', search),
      h('fieldset', { class: 'free-window' },
        h('legend', { text: 'Free for the whole window' }),
        h('div', { class: 'row' }, field('Free from', from), field('Free until', until)),
        h('p', { class: 'hint', text: `Both or neither; your browser's time zone (${zone}).` })),
      h('div', { class: 'row filters' },
        field('Capacity at least', capacity),
        field('Building', building)),
      tagBox),
    listing.element,
  );
}

async function loadTags(ctx, box, filters, onChange) {
  let tags = [];
  try {
    tags = tagsOf(await ctx.api.get('/api/v1/resources/tags', { limit: 100 }));
  } catch {
    tags = [];
  }
  if (!tags.length) {
    box.hidden = true;
    return;
  }
  for (const tag of tags) {
    const input = h('input', { type: 'checkbox', value: tag.name, name: 'tag' });
    input.addEventListener('change', () => {
      if (input.checked) filters.tags.add(tag.name);
      else filters.tags.delete(tag.name);
      onChange();
    });
    const label = tag.count === null ? tag.name : `${tag.name} (${tag.count})`;
    box.append(h('label', { class: 'chip' }, input, ' ', label));
  }
}

function resourceCard(ctx, resource, window) {
  const status = resourceStatus(resource);
  const where = locationText(resource);
  const bookable = ctx.canBook !== false && status !== 'disabled' && status !== 'maintenance';
  return h(
    'li',
    { class: 'card resource', dataset: { resourceId: resource.resource_id ?? resource.id } },
    h('div', { class: 'card-head' }, h('h3', { text: resource.name }), badge(status.replace('_', ' '), status)),
    resource.description ? h('p', { class: 'description', text: resource.description }) : null,
    h('dl', { class: 'meta' },
      where ? [h('dt', { text: 'Where' }), h('dd', { text: where })] : null,
      resource.capacity ? [h('dt', { text: 'Capacity' }), h('dd', { text: String(resource.capacity) })] : null,
      resource.timezone ? [h('dt', { text: 'Time zone' }), h('dd', { text: resource.timezone })] : null,
      resource.requires_approval ? [h('dt', { text: 'Approval' }), h('dd', { text: 'required' })] : null),
    resource.tags?.length ? h('ul', { class: 'tags', 'aria-label': 'Tags' }, resource.tags.map((tag) => h('li', { text: tag }))) : null,
    h('div', { class: 'actions' },
      h('button', {
        type: 'button', class: 'button primary', disabled: !bookable, 'aria-label': `Reserve ${resource.name}`,
        text: 'Reserve', onclick: () => openReserve(ctx, resource, window),
      }),
      h('button', {
        type: 'button', class: 'button', 'aria-label': `Schedule of ${resource.name}`,
        text: 'Schedule', onclick: () => openSchedule(ctx, resource),
      })),
  );
}
