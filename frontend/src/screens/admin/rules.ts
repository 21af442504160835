// Admin editors for opening hours (per resource, and the global default), blackout dates
// (per resource, and global) and maintenance mode.
import * as rules from '../../api/rules';
import type { Resource } from '../../api/resources';
import { badge, statusText } from '../../components/badge';
import { openDialog, toast } from '../../components/dialog';
import { checkbox, field, h } from '../../components/dom';
import { clearError, errorBox, guarded, onSubmit, showError } from '../../components/errors';
import { formatInstant, toDateInput } from '../../lib/time';
import type { Session } from '../../state';

const WEEKDAYS = [
  ['mon', 'Monday'], ['tue', 'Tuesday'], ['wed', 'Wednesday'], ['thu', 'Thursday'],
  ['fri', 'Friday'], ['sat', 'Saturday'], ['sun', 'Sunday'],
] as const;
const SOURCES: Record<string, string> = {
  resource: 'Now: this resource has its own opening hours.',
  default: 'Now: this resource follows the default opening hours.',
  always_open: 'Now: always open (neither this resource nor the default has hours).',
};
const HHMM = '([01][0-9]|2[0-3]):[0-5][0-9]';
type DayMap = Record<string, { opens?: string; closes?: string } | null> | null;

/**
 * The weekly hours editor. `days` null = "no hours of its own" (inherit or always open, as
 * `nullLabel` says). read() gives the days map or null.
 */
function hoursEditor(days: DayMap, nullLabel: string): { element: HTMLElement; read(): rules.Days | null } {
  const none = h('input', { type: 'checkbox', name: 'no_hours', checked: days === null });
  const rows = WEEKDAYS.map(([key, label]) => {
    const day = days?.[key] ?? null;
    const open = h('input', { type: 'checkbox', name: `${key}_open`, checked: Boolean(day), 'aria-label': `Open on ${label}` });
    const opens = h('input', { name: `${key}_opens`, value: day?.opens ?? '08:00', pattern: HHMM, placeholder: 'HH:MM', inputmode: 'numeric', size: '5', 'aria-label': `${label} opening time` });
    const closes = h('input', { name: `${key}_closes`, value: day?.closes ?? '18:00', pattern: `${HHMM}|24:00`, placeholder: 'HH:MM', inputmode: 'numeric', size: '5', 'aria-label': `${label} closing time` });
    const sync = (): void => { opens.disabled = !open.checked || none.checked; closes.disabled = opens.disabled; open.disabled = none.checked; };
    open.addEventListener('change', sync);
    none.addEventListener('change', sync);
    sync();
    return { key, open, opens, closes, row: h('tr', {}, h('th', { scope: 'row', text: label }), h('td', {}, open), h('td', {}, opens), h('td', {}, closes)) };
  });
  const table = h('table', { class: 'hours' },
    h('thead', {}, h('tr', {}, ['Day', 'Open', 'Opens', 'Closes'].map((c) => h('th', { scope: 'col', text: c })))),
    h('tbody', {}, rows.map((r) => r.row)));
  return {
    element: h('div', { class: 'stack' }, checkbox(nullLabel, none), h('div', { class: 'table-wrap' }, table),
      h('p', { class: 'hint', text: 'Times are local to the resource (its time zone). 24:00 closes at midnight. Unchecked days are closed.' })),
    read() {
      if (none.checked) return null;
      const days: rules.Days = {};
      for (const r of rows) days[r.key] = r.open.checked ? { opens: r.opens.value.trim(), closes: r.closes.value.trim() } : null;
      return days;
    },
  };
}

async function hoursForm(load: () => Promise<{ days?: DayMap; source?: string }>, save: (days: rules.Days | null) => Promise<unknown>, nullLabel: string, onSaved?: () => void): Promise<HTMLElement> {
  const box = errorBox();
  let days: DayMap = null;
  let source: string | null = null;
  try {
    const response = await load();
    days = response.days ?? null;
    source = SOURCES[response.source ?? ''] ?? null;
  } catch (error) {
    showError(box, error);
  }
  const editor = hoursEditor(days, nullLabel);
  const form = h('form', { class: 'stack', 'aria-label': 'Opening hours' },
    source ? h('p', { class: 'notice', text: source }) : null, editor.element, box,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary', text: 'Save hours' })));
  onSubmit(form, box, async () => {
    await save(editor.read());
    toast('Opening hours saved.');
    onSaved?.();
  });
  return form;
}

export async function openHours(session: Session, resource: Resource): Promise<void> {
  const body = h('div', { 'aria-busy': 'true' });
  const dialog = openDialog(`Opening hours: ${resource.name}`, body);
  const id = resource.resource_id;
  body.append(await hoursForm(() => rules.resourceHours(session.api, id), (days) => rules.setResourceHours(session.api, id, days),
    'Use the global default hours', () => { dialog.close(); session.events.emit('resources-changed', { resourceId: id }); }));
  body.removeAttribute('aria-busy');
}

/** List + add + delete for one scope (a resource, or global). */
function blackoutsPanel(session: Session, scope: { resourceId: string | null }): HTMLElement {
  const api = session.api;
  const { resourceId } = scope;
  const box = errorBox();
  const list = h('ul', { class: 'rows' });
  const item = (b: rules.Blackout): HTMLLIElement => {
    // A resource's list also shows the global blackouts that apply to it (read-only here).
    const inherited = resourceId !== null && b.scope === 'global';
    const when = b.start_date === b.end_date ? b.start_date : `${b.start_date} – ${b.end_date}`;
    return h('li', { class: 'row-item' },
      h('div', { class: 'row-main' }, h('strong', { text: when }), b.reason ? ` · ${b.reason}` : '',
        inherited ? [' ', badge('global', 'info')] : null),
      inherited ? null : h('button', {
        type: 'button', class: 'button danger', text: 'Remove', 'aria-label': `Remove blackout ${when}`,
        onclick: () => guarded(box, async () => {
          if (resourceId) await rules.removeResourceBlackout(api, resourceId, b.blackout_id);
          else await rules.removeGlobalBlackout(api, b.blackout_id);
          toast('Blackout removed.');
          changed();
        }),
      }));
  };
  const load = (): Promise<unknown> => guarded(box, async () => {
    const items = resourceId ? await rules.resourceBlackouts(api, resourceId) : await rules.globalBlackouts(api);
    list.replaceChildren(...items.map(item));
    if (!items.length) list.replaceChildren(h('li', { class: 'empty', text: 'No blackout dates.' }));
  });
  const changed = (): void => {
    void load();
    session.events.emit('resources-changed', resourceId ? { resourceId } : {});
  };
  const today = toDateInput(new Date());
  const start = h('input', { type: 'date', name: 'start_date', required: true, value: today });
  const end = h('input', { type: 'date', name: 'end_date', required: true, value: today });
  const reason = h('input', { name: 'reason', maxlength: '500', required: true });
  const formBox = errorBox();
  const form = h('form', { class: 'stack', 'aria-label': 'Add a blackout' },
    h('div', { class: 'row' }, field('First day', start), field('Last day', end)),
    field('Reason', reason),
    formBox,
    h('button', { type: 'submit', class: 'button primary', text: 'Add blackout' }));
  onSubmit(form, formBox, async () => {
    const body = { start_date: start.value, end_date: end.value, reason: reason.value.trim() };
    if (resourceId) await rules.addResourceBlackout(api, resourceId, body);
    else await rules.addGlobalBlackout(api, body);
    form.reset();
    toast('Blackout added.');
    changed();
  });
  void load();
  return h('div', { class: 'stack' }, box, list, h('h3', { text: 'Add a blackout' }), form);
}

export function openBlackouts(session: Session, resource: Resource): void {
  openDialog(`Blackout dates: ${resource.name}`,
    h('p', { class: 'hint', text: `Dates in the resource's time zone (${resource.timezone || 'UTC'}); no booking may touch them.` }),
    blackoutsPanel(session, { resourceId: resource.resource_id }));
}

export function render(session: Session): HTMLElement {
  const hours = h('div', { 'aria-busy': 'true' });
  void hoursForm(() => rules.defaultHours(session.api), (days) => rules.setDefaultHours(session.api, days), 'Always open (no default hours)')
    .then((form) => {
      hours.replaceChildren(form);
      hours.removeAttribute('aria-busy');
    });
  return h('div', { class: 'stack' },
    h('section', { class: 'card' }, h('h2', { text: 'Default opening hours' }),
      h('p', { class: 'hint', text: 'Used by every resource that has no hours of its own.' }), hours),
    h('section', { class: 'card' }, h('h2', { text: 'Global blackout dates' }),
      h('p', { class: 'hint', text: 'Closed days for every resource (holidays...).' }),
      blackoutsPanel(session, { resourceId: null })));
}

export async function openMaintenance(session: Session, resource: Resource, done: () => void): Promise<void> {
  const id = resource.resource_id;
  const box = errorBox();
  const state = h('div', { role: 'status' });
  const reason = h('input', { name: 'reason', maxlength: '500', required: true });
  const hours = h('input', { type: 'number', name: 'auto_reset_hours', min: '0', max: '720', value: '8', required: true });
  const start = h('form', { class: 'stack', 'aria-label': 'Start maintenance' },
    field('Reason', reason),
    field('End automatically after (hours, 0 = until ended by hand)', hours),
    h('button', { type: 'submit', class: 'button danger', text: 'Start maintenance' }));
  const end = h('button', { type: 'button', class: 'button primary', text: 'End maintenance', hidden: true });
  const dialog = openDialog(`Maintenance: ${resource.name}`, state, box, start, end);
  const refresh = async (): Promise<void> => {
    clearError(box);
    try {
      const status = await rules.status(session.api, id);
      const inMaintenance = status.status === 'maintenance';
      const until = status.maintenance?.auto_reset_at;
      state.replaceChildren(h('p', {}, 'Current status: ', badge(statusText(status.status), status.status),
        inMaintenance && until ? ` until ${formatInstant(until)}` : ''));
      start.hidden = inMaintenance;
      end.hidden = !inMaintenance;
    } catch (error) {
      showError(box, error);
    }
  };
  onSubmit(start, box, async () => {
    await rules.startMaintenance(session.api, id, { reason: reason.value.trim(), auto_reset_hours: Number(hours.value) });
    toast(`${resource.name} is in maintenance.`);
    done();
    await refresh();
  });
  end.addEventListener('click', () => void guarded(box, async () => {
    await rules.endMaintenance(session.api, id);
    toast(`${resource.name} is back in service.`);
    done();
    dialog.close();
  }));
  await refresh();
}
