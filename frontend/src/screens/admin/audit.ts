// Admin: the audit log. Filters (actor, action, entity, time range) over cursor pages, newest
// first; an entry's entity opens that entity's whole history; the matching entries export as
// CSV or JSON (a file download, at most 10,000 entries, as the API caps it).
import * as audit from '../../api/audit';
import { openDialog, toast } from '../../components/dialog';
import { field, h } from '../../components/dom';
import { clearError, errorBox, guarded, showError } from '../../components/errors';
import { pagedTable } from '../../components/paged-list';
import { auditFilters, exportFileName, type AuditFilterQuery } from '../../lib/audit';
import { formatInstant } from '../../lib/time';
import type { Session } from '../../state';
import { fillSuggestions, statsPanel } from './audit-stats';

const COLUMNS = ['When', 'Actor', 'Action', 'Entity', 'Changes', 'Channel'];

export function render(session: Session): HTMLElement {
  // Suggestions from the values seen in the log (GET /audit/filters, issue 14); any name is accepted.
  const lists = {
    actors: h('datalist', { id: 'audit-actors' }),
    actions: h('datalist', { id: 'audit-actions' }),
    entityTypes: h('datalist', { id: 'audit-entity-types' }),
  };
  void fillSuggestions(session, lists);
  const actor = h('input', { type: 'text', name: 'actor_id', maxlength: '128', autocomplete: 'off', list: 'audit-actors' });
  const action = h('input', { type: 'text', name: 'action', maxlength: '128', autocomplete: 'off', placeholder: 'created, cancelled, deleted…', list: 'audit-actions' });
  const entityType = h('input', { type: 'text', name: 'entity_type', maxlength: '128', autocomplete: 'off', list: 'audit-entity-types' });
  const entityId = h('input', { type: 'text', name: 'entity_id', maxlength: '128', autocomplete: 'off' });
  const since = h('input', { type: 'datetime-local', name: 'since' });
  const until = h('input', { type: 'datetime-local', name: 'until' });
  const box = errorBox();
  let filters: AuditFilterQuery = {};
  const read = (): AuditFilterQuery => auditFilters({
    actor: actor.value, action: action.value, entityType: entityType.value, entityId: entityId.value, since: since.value, until: until.value,
  });
  const table = pagedTable<audit.AuditEntry>(COLUMNS, {
    label: 'Audit entries, newest first',
    emptyText: 'No entries match.',
    pageSize: 25,
    fetchPage: (cursor, limit) => audit.logs(session.api, { ...filters, limit, cursor }),
    renderItem: (entry) => entryRow(session, entry),
  });
  const form = h('form', { class: 'filters', 'aria-label': 'Audit log filters' },
    field('Actor (user id)', actor), field('Action', action), field('Entity type', entityType), field('Entity id', entityId),
    field('Since', since), field('Until', until),
    h('button', { type: 'submit', class: 'button primary', text: 'Apply' }),
    h('button', { type: 'button', class: 'button', text: 'Clear', onclick: () => { form.reset(); apply(); } }));
  function apply(): void {
    clearError(box);
    try {
      filters = read();
    } catch (error) {
      showError(box, error);
      return;
    }
    void table.reload();
  }
  form.addEventListener('submit', (event) => { event.preventDefault(); apply(); });
  const download = (format: 'csv' | 'json'): Promise<void> => guarded(box, async () => {
    const text = await audit.exportText(session.api, format, read());
    saveFile(exportFileName(format, new Date()), text, format === 'csv' ? 'text/csv' : 'application/json');
    toast(`Exported as ${format.toUpperCase()}.`);
  }).then(() => undefined);
  return h('div', { class: 'admin-audit stack' },
    statsPanel(session),
    lists.actors, lists.actions, lists.entityTypes,
    form,
    h('div', { class: 'toolbar' },
      h('button', { type: 'button', class: 'button', text: 'Export CSV', onclick: () => download('csv') }),
      h('button', { type: 'button', class: 'button', text: 'Export JSON', onclick: () => download('json') }),
      h('span', { class: 'hint', text: 'Exports the entries matching the filters (at most 10,000).' })),
    box,
    table.element);
}

/** A download of `text` (a Blob URL: no server round trip, no data in the page's markup). */
function saveFile(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = h('a', { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function changesText(changes: Record<string, unknown>): string {
  return Object.entries(changes).map(([key, value]) => {
    if (value && typeof value === 'object' && ('before' in value || 'after' in value)) {
      const v = value as { before?: unknown; after?: unknown };
      return `${key}: ${JSON.stringify(v.before ?? null)} → ${JSON.stringify(v.after ?? null)}`;
    }
    return `${key}: ${JSON.stringify(value)}`;
  }).join('; ');
}

function entryRow(session: Session, entry: audit.AuditEntry): HTMLTableRowElement {
  const changes = changesText(entry.changes);
  return h('tr', { dataset: { entryId: entry.entry_id } },
    h('td', { text: formatInstant(entry.at) }),
    h('td', { text: entry.actor_id }),
    h('td', { text: entry.action }),
    h('td', {}, h('button', {
      type: 'button', class: 'link-button', text: `${entry.entity_type} ${entry.entity_id}`,
      'aria-label': `History of ${entry.entity_type} ${entry.entity_id}`,
      onclick: () => openHistory(session, entry.entity_type, entry.entity_id),
    })),
    h('td', {}, changes ? h('div', { class: 'excerpt', text: changes.length > 300 ? `${changes.slice(0, 300)}…` : changes }) : '—'),
    h('td', { text: entry.channel }));
}

function openHistory(session: Session, entityType: string, entityId: string): void {
  const table = pagedTable<audit.AuditEntry>(COLUMNS, {
    label: `History of ${entityType} ${entityId}`,
    emptyText: 'No entries.',
    pageSize: 25,
    fetchPage: (cursor, limit) => audit.entityHistory(session.api, entityType, entityId, { limit, cursor }),
    renderItem: (entry) => entryRow(session, entry),
  });
  openDialog(`History of ${entityType} ${entityId}`, table.element).classList.add('wide');
}
