// Admin tab (shown to admins only; the API checks the role on every call anyway):
// resources (create, edit, enable/disable, maintenance, hours, blackouts, delete, CSV import),
// global hours and blackouts, users and roles.
import { badge, checkbox, errorBox, field, guarded, h, onSubmit, openDialog, toast } from '../dom.js';
import { pagedList } from '../paging.js';
import { timeZones } from '../time.js';
import { tabs } from '../widgets.js';
import { openBlackouts, openHours, openMaintenance, renderGlobalRules } from './admin-rules.js';
import { renderUsers } from './admin-users.js';
import { resourceIdOf } from './booking.js';
import { locationText, resourceStatus } from './resources.js';

export function renderAdmin(ctx) {
  return tabs(
    [
      { id: 'admin-resources', label: 'Resources', render: () => renderAdminResources(ctx) },
      { id: 'admin-rules', label: 'Opening hours and blackouts', render: () => renderGlobalRules(ctx) },
      { id: 'admin-users', label: 'Users and roles', render: () => renderUsers(ctx) },
    ],
    { label: 'Administration' },
  ).element;
}

function renderAdminResources(ctx) {
  const search = h('input', { type: 'search', name: 'q', autocomplete: 'off' });
  const listing = pagedList({
    label: 'All resources',
    emptyText: 'No resources yet. Create one, or import a CSV file.',
    tag: 'ul',
    listClass: 'rows',
    fetchPage: (cursor, limit) => ctx.api.get('/api/v1/resources', { limit, cursor, q: search.value.trim() || undefined }),
    renderItem: (resource) => adminRow(ctx, resource),
    keyOf: resourceIdOf,
    pageSize: 20,
  });
  let timer = null;
  search.addEventListener('input', () => {
    listing.pending();
    clearTimeout(timer);
    timer = setTimeout(() => listing.reload(), 300);
  });
  const changed = (created) => {
    if (created?.resource_id) listing.prepend(created);
    else listing.reload();
    ctx.emit('resources-changed');
  };
  return h(
    'div',
    { class: 'admin-resources' },
    h('div', { class: 'toolbar' },
      field('Filter by name', search),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'button primary', text: 'New resource', onclick: () => openResourceForm(ctx, null, changed) }),
        h('button', { type: 'button', class: 'button', text: 'Import CSV…', onclick: () => openCsvImport(ctx, changed) }))),
    listing.element,
  );
}

/** One resource; after an action the row re-reads its resource and replaces itself in place. */
function adminRow(ctx, resource) {
  const id = resourceIdOf(resource);
  const status = resourceStatus(resource);
  const box = errorBox();
  const act = (label, handler, cls = 'button') => h('button', {
    type: 'button', class: cls, text: label, 'aria-label': `${label} ${resource.name}`, onclick: handler,
  });
  const refresh = () => guarded(box, async () => {
    const fresh = adminRow(ctx, await ctx.api.get(`/api/v1/resources/${encodeURIComponent(id)}`));
    // The list may have been reloaded meanwhile: replace whichever row shows it now.
    const current = row.isConnected ? row : document.querySelector(`li.row-item[data-resource-id="${CSS.escape(id)}"]`);
    if (!current) return;
    if (current.classList.contains('fresh')) fresh.classList.add('fresh');
    current.replaceWith(fresh);
    ctx.emit('resources-changed');
  });
  const removed = () => {
    document.querySelectorAll(`li.row-item[data-resource-id="${CSS.escape(id)}"]`).forEach((node) => node.remove());
    ctx.emit('resources-changed');
  };
  const toggle = () => guarded(box, async () => {
    await ctx.api.put(`/api/v1/resources/${encodeURIComponent(id)}/availability`, { enabled: resource.enabled === false });
    toast(`${resource.name} ${resource.enabled === false ? 'enabled' : 'disabled'}.`);
    await refresh();
  });
  const row = h(
    'li',
    { class: 'row-item', dataset: { resourceId: id } },
    h('div', { class: 'row-main' },
      h('strong', { text: resource.name }), ' ', badge(status.replace('_', ' '), status),
      h('div', { class: 'hint', text: [locationText(resource), resource.timezone, resource.tags?.join(', ')].filter(Boolean).join(' · ') })),
    h('div', { class: 'actions wrap' },
      act('Edit', () => openResourceForm(ctx, resource, refresh)),
      act(resource.enabled === false ? 'Enable' : 'Disable', toggle),
      act('Maintenance', () => openMaintenance(ctx, resource, refresh)),
      act('Hours', () => openHours(ctx, resource)),
      act('Blackouts', () => openBlackouts(ctx, resource)),
      act('Delete', () => openDelete(ctx, resource, removed), 'button danger')),
    box,
  );
  return row;
}

const POLICY_FIELDS = [
  ['min_duration_minutes', 'Shortest booking (minutes)', 15],
  ['max_duration_minutes', 'Longest booking (minutes)', 1440],
  ['buffer_before_minutes', 'Buffer before (minutes)', 0],
  ['buffer_after_minutes', 'Buffer after (minutes)', 0],
  ['booking_horizon_days', 'Bookable up to (days ahead)', 365],
  ['min_notice_minutes', 'Minimum notice (minutes)', 0],
];

/**
 * Create (resource null) or edit. An edit starts from a fresh read and sends the version it
 * read, so saving over someone else's change is refused (409 version_conflict) rather than lost.
 */
export async function openResourceForm(ctx, resource, done) {
  if (resource) {
    try {
      resource = await ctx.api.get(`/api/v1/resources/${encodeURIComponent(resourceIdOf(resource))}`);
    } catch (error) {
      toast(`Could not load ${resource.name}: ${error.message}`);
      return;
    }
  }
  const r = resource || {};
  const loc = r.location || {};
  const input = (name, props = {}) => h('input', { name, ...props });
  const name = input('name', { required: true, maxlength: '100', value: r.name ?? '' });
  const description = h('textarea', { name: 'description', rows: '2', maxlength: '2000' });
  description.value = r.description ?? '';
  const tags = input('tags', { value: (r.tags || []).join(', ') });
  const capacity = input('capacity', { type: 'number', min: '1', required: true, value: String(r.capacity ?? 1) });
  const building = input('building', { maxlength: '100', value: loc.building ?? '' });
  const floor = input('floor', { maxlength: '100', value: loc.floor ?? '' });
  const room = input('room', { maxlength: '100', value: loc.room ?? '' });
  const zone = h('select', { name: 'timezone' },
    timeZones(r.timezone || 'UTC').map((z) => h('option', { value: z, selected: z === (r.timezone || 'UTC'), text: z })));
  const approval = input('requires_approval', { type: 'checkbox', checked: Boolean(r.requires_approval) });
  const policy = POLICY_FIELDS.map(([key, label, fallback]) => [key, label,
    input(key, { type: 'number', min: '0', required: true, value: String(r[key] ?? r.policy?.[key] ?? fallback) })]);
  const box = errorBox();
  const form = h(
    'form',
    { class: 'stack', 'aria-label': resource ? `Edit ${r.name}` : 'New resource' },
    field('Name', name),
    field('Description', description),
    field('Tags', tags, 'Comma separated, e.g. projector, large'),
    h('div', { class: 'row' }, field('Capacity', capacity), field('Time zone', zone)),
    h('div', { class: 'row' }, field('Building', building), field('Floor', floor), field('Room', room)),
    checkbox('Bookings need an approval', approval),
    h('details', { class: 'policy' }, h('summary', { text: 'Booking rules' }),
      h('div', { class: 'grid' }, policy.map(([, label, control]) => field(label, control)))),
    box,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button primary', text: resource ? 'Save changes' : 'Create resource' }),
      h('button', { type: 'button', class: 'button', text: 'Cancel', onclick: () => dialog.close() })),
  );
  onSubmit(form, box, async () => {
    const body = {
      name: name.value.trim(),
      description: description.value.trim(),
      tags: tags.value.split(',').map((t) => t.trim()).filter(Boolean),
      capacity: Number(capacity.value),
      location: { building: building.value.trim(), floor: floor.value.trim(), room: room.value.trim() },
      timezone: zone.value,
      requires_approval: approval.checked,
    };
    for (const [key, , control] of policy) body[key] = Number(control.value);
    let created = null;
    if (resource) {
      body.version = r.version;
      try {
        await ctx.api.patch(`/api/v1/resources/${encodeURIComponent(resourceIdOf(r))}`, body);
      } catch (error) {
        if (error.code === 'version_conflict') done();  // show the current state behind the dialog
        throw error;
      }
    } else {
      created = await ctx.api.post('/api/v1/resources', body);
    }
    dialog.close();
    toast(resource ? `${body.name} saved.` : `${body.name} created.`);
    done(created);
  });
  const dialog = openDialog(resource ? `Edit ${r.name}` : 'New resource', form);
  name.focus();
}

function openDelete(ctx, resource, done) {
  const force = h('input', { type: 'checkbox', name: 'force' });
  const box = errorBox();
  const form = h('form', { class: 'stack', 'aria-label': `Delete ${resource.name}` },
    h('p', { text: `Delete ${resource.name}? This cannot be undone.` }),
    checkbox('Also cancel its future reservations', force),
    box,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button danger', text: 'Delete' }),
      h('button', { type: 'button', class: 'button', text: 'Keep it', onclick: () => dialog.close() })));
  onSubmit(form, box, async () => {
    await ctx.api.delete(`/api/v1/resources/${encodeURIComponent(resourceIdOf(resource))}`, force.checked ? { force: 'true' } : undefined);
    dialog.close();
    toast(`${resource.name} deleted.`);
    done();
  });
  const dialog = openDialog(`Delete ${resource.name}`, form);
}

function openCsvImport(ctx, done) {
  const file = h('input', { type: 'file', name: 'file', accept: '.csv,text/csv', required: true });
  const box = errorBox();
  const result = h('div', { role: 'status' });
  const form = h('form', { class: 'stack', 'aria-label': 'Import resources from CSV' },
    h('p', { text: 'Header row: name, description, tags (separated by ;), capacity, building, floor, room, timezone, enabled, requires_approval, approvers, min/max_duration_minutes, buffer_before/after_minutes, booking_horizon_days, min_notice_minutes.' }),
    h('p', { class: 'hint', text: 'All or nothing: if any row is invalid, nothing is imported and every problem is listed.' }),
    field('CSV file (max 1 MB, 1000 rows)', file),
    box,
    result,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button primary', text: 'Import' }),
      h('button', { type: 'button', class: 'button', text: 'Close', onclick: () => dialog.close() })));
  onSubmit(form, box, async () => {
    const chosen = file.files[0];
    if (!chosen) throw new Error('Choose a CSV file first.');
    if (chosen.size > 1_000_000) throw new Error('The file is larger than 1 MB.');
    const response = await ctx.api.post('/api/v1/resources/upload', await chosen.text(), { contentType: 'text/csv' });
    const count = response?.created ?? response?.imported ?? response?.items?.length ?? response?.count;
    result.textContent = `Imported ${count ?? 'all'} resources.`;
    toast(result.textContent);
    done();
  });
  const dialog = openDialog('Import resources', form);
}
