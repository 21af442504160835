// Admin: resources (create, edit, enable/disable, maintenance, hours, blackouts, delete, CSV import).
import { ApiError } from '../../api/client';
import * as resources from '../../api/resources';
import { badge, statusText } from '../../components/badge';
import { openDialog, toast } from '../../components/dialog';
import { checkbox, field, h } from '../../components/dom';
import { errorBox, guarded, onSubmit } from '../../components/errors';
import { debounced, pagedList } from '../../components/paged-list';
import { timeZones } from '../../lib/time';
import type { Session } from '../../state';
import { openParts } from './composites'; // composite resources (issue 14)
import { openFeedSettings } from './feed-settings'; // calendar feeds (issue 12)
import { openApprovalChain, openCheckInPolicy } from './policies';
import { openBlackouts, openHours, openMaintenance } from './rules';

type Resource = resources.Resource;

export function render(session: Session): HTMLElement {
  const search = h('input', { type: 'search', name: 'q', autocomplete: 'off' });
  const listing = pagedList<Resource>({
    label: 'All resources',
    emptyText: 'No resources yet. Create one, or import a CSV file.',
    listClass: 'rows',
    fetchPage: (cursor, limit) => resources.list(session.api, { limit, cursor, q: search.value.trim() || undefined }),
    renderItem: (resource) => adminRow(session, resource),
    keyOf: (resource) => resource.resource_id,
    pageSize: 20,
  });
  debounced([search], listing, () => void listing.reload());
  const changed = (created?: Resource | null): void => {
    if (created?.resource_id) listing.prepend(created);
    else void listing.reload();
    session.events.emit('resources-changed', {});
  };
  return h('div', { class: 'admin-resources' },
    h('div', { class: 'toolbar' },
      field('Filter by name', search),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'button primary', text: 'New resource', onclick: () => void openResourceForm(session, null, changed) }),
        h('button', { type: 'button', class: 'button', text: 'Import CSV…', onclick: () => openCsvImport(session, changed) }))),
    listing.element);
}

const rowsOf = (id: string): NodeListOf<HTMLElement> => document.querySelectorAll(`li.row-item[data-resource-id="${CSS.escape(id)}"]`);

/** One resource; after an action the row re-reads its resource and replaces itself in place. */
function adminRow(session: Session, resource: Resource): HTMLElement {
  const id = resource.resource_id;
  const box = errorBox();
  const act = (label: string, handler: () => unknown, cls = 'button'): HTMLButtonElement =>
    h('button', { type: 'button', class: cls, text: label, 'aria-label': `${label} ${resource.name}`, onclick: handler });
  const refresh = (): Promise<void> => guarded(box, async () => {
    const fresh = adminRow(session, await resources.get(session.api, id));
    // The list may have been reloaded meanwhile: replace whichever row shows it now.
    const current = row.isConnected ? row : rowsOf(id)[0];
    if (!current) return;
    if (current.classList.contains('fresh')) fresh.classList.add('fresh');
    current.replaceWith(fresh);
    session.events.emit('resources-changed', { resourceId: id });
  }).then(() => undefined);
  const removed = (): void => {
    rowsOf(id).forEach((node) => node.remove());
    session.events.emit('resources-changed', { resourceId: id });
  };
  const toggle = (): Promise<void> => guarded(box, async () => {
    await resources.setEnabled(session.api, id, !resource.enabled);
    toast(`${resource.name} ${resource.enabled ? 'disabled' : 'enabled'}.`);
    await refresh();
  }).then(() => undefined);
  const row = h('li', { class: 'row-item', dataset: { resourceId: id } },
    h('div', { class: 'row-main' },
      h('strong', { text: resource.name }), ' ', badge(statusText(resource.status), resource.status),
      h('div', { class: 'hint', text: [resources.locationText(resource), resource.timezone, resource.tags.join(', ')].filter(Boolean).join(' · ') })),
    h('div', { class: 'actions wrap' },
      act('Edit', () => openResourceForm(session, resource, () => void refresh())),
      act(resource.enabled ? 'Disable' : 'Enable', toggle),
      act('Maintenance', () => openMaintenance(session, resource, () => void refresh())),
      act('Hours', () => openHours(session, resource)),
      act('Blackouts', () => openBlackouts(session, resource)),
      act('Approval chain', () => void openApprovalChain(session, resource)),
      act('Check-in', () => void openCheckInPolicy(session, resource)),
      act('Parts', () => void openParts(session, resource)), // composite resources (issue 14)
      act('Calendar feed', () => void openFeedSettings(session, { kind: 'resource', id, name: resource.name })),
      act('Delete', () => openDelete(session, resource, removed), 'button danger')),
    box);
  return row;
}

const POLICY_FIELDS = [
  ['min_duration_minutes', 'Shortest booking (minutes)', 15],
  ['max_duration_minutes', 'Longest booking (minutes)', 1440],
  ['buffer_before_minutes', 'Buffer before (minutes)', 0],
  ['buffer_after_minutes', 'Buffer after (minutes)', 0],
  ['booking_horizon_days', 'Bookable up to (days ahead)', 365],
  ['min_notice_minutes', 'Minimum notice (minutes)', 0],
] as const;

/**
 * Create (resource null) or edit. An edit starts from a fresh read and sends the version it
 * read, so saving over someone else's change is refused (409 version_conflict) rather than lost.
 */
export async function openResourceForm(session: Session, resource: Resource | null, done: (created?: Resource | null) => void): Promise<void> {
  let r: Resource | null = null;
  if (resource) {
    try {
      r = await resources.get(session.api, resource.resource_id);
    } catch (error) {
      toast(`Could not load ${resource.name}: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
  }
  const input = (name: string, props: Record<string, unknown> = {}): HTMLInputElement => h('input', { name, ...props });
  const name = input('name', { required: true, maxlength: '100', value: r?.name ?? '' });
  const description = h('textarea', { name: 'description', rows: '2', maxlength: '2000' });
  description.value = r?.description ?? '';
  const tags = input('tags', { value: (r?.tags ?? []).join(', ') });
  const capacity = input('capacity', { type: 'number', min: '1', required: true, value: String(r?.capacity ?? 1) });
  const building = input('building', { maxlength: '100', value: r?.location.building ?? '' });
  const floor = input('floor', { maxlength: '100', value: r?.location.floor ?? '' });
  const room = input('room', { maxlength: '100', value: r?.location.room ?? '' });
  const current = r?.timezone || 'UTC';
  const zone = h('select', { name: 'timezone' }, timeZones(current).map((z) => h('option', { value: z, selected: z === current, text: z })));
  const approval = input('requires_approval', { type: 'checkbox', checked: Boolean(r?.requires_approval) });
  const policy = POLICY_FIELDS.map(([key, label, fallback]) =>
    [key, label, input(key, { type: 'number', min: '0', required: true, value: String(r?.[key] ?? fallback) })] as const);
  const box = errorBox();
  const form = h('form', { class: 'stack', 'aria-label': r ? `Edit ${r.name}` : 'New resource' },
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
      h('button', { type: 'submit', class: 'button primary', text: r ? 'Save changes' : 'Create resource' }),
      h('button', { type: 'button', class: 'button', text: 'Cancel', onclick: () => dialog.close() })));
  onSubmit(form, box, async () => {
    const body = {
      name: name.value.trim(),
      description: description.value.trim(),
      tags: tags.value.split(',').map((t) => t.trim()).filter(Boolean),
      capacity: Number(capacity.value),
      location: { building: building.value.trim(), floor: floor.value.trim(), room: room.value.trim() },
      timezone: zone.value,
      requires_approval: approval.checked,
      ...Object.fromEntries(policy.map(([key, , control]) => [key, Number(control.value)])),
    };
    let created: Resource | null = null;
    if (r) {
      try {
        await resources.patch(session.api, r.resource_id, { ...body, version: r.version });
      } catch (error) {
        if (error instanceof ApiError && error.code === 'version_conflict') done(); // show the current state behind the dialog
        throw error;
      }
    } else {
      created = await resources.create(session.api, body);
    }
    dialog.close();
    toast(r ? `${body.name} saved.` : `${body.name} created.`);
    done(created);
  });
  const dialog = openDialog(r ? `Edit ${r.name}` : 'New resource', form);
  name.focus();
}

function openDelete(session: Session, resource: Resource, done: () => void): void {
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
    await resources.remove(session.api, resource.resource_id, force.checked);
    dialog.close();
    toast(`${resource.name} deleted.`);
    done();
  });
  const dialog = openDialog(`Delete ${resource.name}`, form);
}

function openCsvImport(session: Session, done: () => void): void {
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
    const chosen = file.files?.[0];
    if (!chosen) throw new Error('Choose a CSV file first.');
    if (chosen.size > 1_000_000) throw new Error('The file is larger than 1 MB.');
    const response = await resources.importCsv(session.api, await chosen.text());
    result.textContent = `Imported ${response.imported} resources.`;
    toast(result.textContent);
    done();
  });
  const dialog = openDialog('Import resources', form);
}
