// Resources tab: search, tag filter (all chosen tags must match), cursor pagination, and per
// resource the Reserve and Schedule dialogs.
import { badge, field, h } from '../dom.js';
import { pagedList } from '../paging.js';
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

export function renderResources(ctx) {
  const filters = { q: '', tags: new Set() };
  const search = h('input', { type: 'search', name: 'q', placeholder: 'Name or description', autocomplete: 'off' });
  const tagBox = h('fieldset', { class: 'tag-filter' }, h('legend', { text: 'Tags (all must match)' }));
  const listing = pagedList({
    label: 'Resources',
    emptyText: 'No resources match.',
    pageSize: PAGE_SIZE,
    fetchPage: (cursor, limit) => ctx.api.get('/api/v1/resources', {
      limit, cursor, q: filters.q || undefined, tags: [...filters.tags],
    }),
    renderItem: (resource) => resourceCard(ctx, resource),
  });

  let timer = null;
  search.addEventListener('input', () => {
    listing.pending();
    clearTimeout(timer);
    timer = setTimeout(() => { filters.q = search.value.trim(); listing.reload(); }, 300);
  });
  search.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') { clearTimeout(timer); filters.q = search.value.trim(); listing.reload(); }
  });
  loadTags(ctx, tagBox, filters, () => listing.reload());
  ctx.on('resources-changed', () => listing.reload());

  return h(
    'div',
    { class: 'resources' },
    h('div', { class: 'toolbar', role: 'search' }, field('Search resources', search), tagBox),
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

function resourceCard(ctx, resource) {
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
        text: 'Reserve', onclick: () => openReserve(ctx, resource),
      }),
      h('button', {
        type: 'button', class: 'button', 'aria-label': `Schedule of ${resource.name}`,
        text: 'Schedule', onclick: () => openSchedule(ctx, resource),
      })),
  );
}
