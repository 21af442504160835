// Admin editors for opening hours (per resource, and the global default), blackout dates
// (per resource, and global) and maintenance mode.
import { badge, checkbox, clearError, errorBox, field, guarded, h, onSubmit, openDialog, showError, toast } from '../dom.js';
import { formatInstant, toDateInput } from '../time.js';
import { resourceIdOf } from './booking.js';

const WEEKDAYS = [
  ['mon', 'Monday'], ['tue', 'Tuesday'], ['wed', 'Wednesday'], ['thu', 'Thursday'],
  ['fri', 'Friday'], ['sat', 'Saturday'], ['sun', 'Sunday'],
];
const SOURCES = {
  resource: 'Now: this resource has its own opening hours.',
  default: 'Now: this resource follows the default opening hours.',
  always_open: 'Now: always open (neither this resource nor the default has hours).',
};
const HHMM = '([01][0-9]|2[0-3]):[0-5][0-9]';

function daysOf(response) {
  if (response && typeof response === 'object' && 'days' in response) return response.days;
  return response ?? null;
}

/**
 * The weekly hours editor. `days` null = "no hours of its own" (inherit or always open, as
 * `nullLabel` says). Returns {element, read()} where read() gives the days map or null.
 */
function hoursEditor(days, nullLabel) {
  const none = h('input', { type: 'checkbox', name: 'no_hours', checked: days === null || days === undefined });
  const rows = WEEKDAYS.map(([key, label]) => {
    const day = days?.[key] ?? null;
    const open = h('input', { type: 'checkbox', name: `${key}_open`, checked: Boolean(day), 'aria-label': `Open on ${label}` });
    const opens = h('input', { name: `${key}_opens`, value: day?.opens ?? '08:00', pattern: HHMM, placeholder: 'HH:MM', inputmode: 'numeric', size: '5', 'aria-label': `${label} opening time` });
    const closes = h('input', { name: `${key}_closes`, value: day?.closes ?? '18:00', pattern: `${HHMM}|24:00`, placeholder: 'HH:MM', inputmode: 'numeric', size: '5', 'aria-label': `${label} closing time` });
    const sync = () => { opens.disabled = !open.checked || none.checked; closes.disabled = opens.disabled; open.disabled = none.checked; };
    open.addEventListener('change', sync);
    none.addEventListener('change', sync);
    sync();
    return { key, open, opens, closes, row: h('tr', {}, h('th', { scope: 'row', text: label }), h('td', {}, open), h('td', {}, opens), h('td', {}, closes)) };
  });
  const table = h('table', { class: 'hours' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Day' }), h('th', { scope: 'col', text: 'Open' }),
      h('th', { scope: 'col', text: 'Opens' }), h('th', { scope: 'col', text: 'Closes' }))),
    h('tbody', {}, rows.map((r) => r.row)));
  return {
    element: h('div', { class: 'stack' }, checkbox(nullLabel, none), table,
      h('p', { class: 'hint', text: 'Times are local to the resource (its time zone). 24:00 closes at midnight. Unchecked days are closed.' })),
    read() {
      if (none.checked) return null;
      return Object.fromEntries(rows.map((r) => [r.key, r.open.checked ? { opens: r.opens.value.trim(), closes: r.closes.value.trim() } : null]));
    },
  };
}

async function hoursForm(ctx, path, nullLabel, onSaved) {
  const box = errorBox();
  const container = h('div', { class: 'stack', 'aria-busy': 'true' }, box);
  let days = null;
  let source = null;
  try {
    const response = await ctx.api.get(path);
    days = daysOf(response);
    source = SOURCES[response?.source] ?? null;
  } catch (error) {
    showError(box, error);
  }
  const editor = hoursEditor(days, nullLabel);
  const form = h('form', { class: 'stack', 'aria-label': 'Opening hours' },
    source ? h('p', { class: 'notice', text: source }) : null, editor.element, box,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary', text: 'Save hours' })));
  onSubmit(form, box, async () => {
    await ctx.api.put(path, { days: editor.read() });
    toast('Opening hours saved.');
    onSaved?.();
  });
  container.replaceChildren(form);
  container.removeAttribute('aria-busy');
  return container;
}

export async function openHours(ctx, resource) {
  const id = encodeURIComponent(resourceIdOf(resource));
  const body = h('div');
  const dialog = openDialog(`Opening hours: ${resource.name}`, body);
  body.append(await hoursForm(ctx, `/api/v1/resources/${id}/business-hours`, 'Use the global default hours', () => dialog.close()));
}

function blackoutsOf(response) {
  if (Array.isArray(response)) return response;
  return response?.items ?? response?.blackouts ?? [];
}

/** List + add + delete for one scope (a resource's path, or the global one). */
function blackoutsPanel(ctx, listPath, deletePath) {
  const box = errorBox();
  const list = h('ul', { class: 'rows' });
  const perResource = listPath.includes('/resources/');
  const item = (b) => {
    // A resource's list also shows the global blackouts that apply to it (read-only here).
    const inherited = perResource && (b.resource_id === null || b.scope === 'global');
    const when = b.start_date === b.end_date ? b.start_date : `${b.start_date} – ${b.end_date}`;
    return h('li', { class: 'row-item' },
      h('div', { class: 'row-main' }, h('strong', { text: when }), b.reason ? ` · ${b.reason}` : '',
        inherited ? [' ', badge('global', 'info')] : null),
      inherited ? null : h('button', {
        type: 'button', class: 'button danger', text: 'Remove', 'aria-label': `Remove blackout ${when}`,
        onclick: () => guarded(box, async () => {
          await ctx.api.delete(deletePath(b.blackout_id ?? b.id));
          toast('Blackout removed.');
          load();
        }),
      }));
  };
  const load = () => guarded(box, async () => {
    const items = blackoutsOf(await ctx.api.get(listPath));
    list.replaceChildren(...items.map(item));
    if (!items.length) list.replaceChildren(h('li', { class: 'empty', text: 'No blackout dates.' }));
  });
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
    await ctx.api.post(listPath, { start_date: start.value, end_date: end.value, reason: reason.value.trim() });
    form.reset();
    toast('Blackout added.');
    load();
  });
  load();
  return h('div', { class: 'stack' }, box, list, h('h3', { text: 'Add a blackout' }), form);
}

export function openBlackouts(ctx, resource) {
  const id = encodeURIComponent(resourceIdOf(resource));
  openDialog(`Blackout dates: ${resource.name}`,
    h('p', { class: 'hint', text: `Dates in the resource's time zone (${resource.timezone || 'UTC'}); no booking may touch them.` }),
    blackoutsPanel(ctx, `/api/v1/resources/${id}/blackouts`, (bid) => `/api/v1/resources/${id}/blackouts/${encodeURIComponent(bid)}`));
}

export function renderGlobalRules(ctx) {
  const hours = h('div', { 'aria-busy': 'true' });
  hoursForm(ctx, '/api/v1/business-hours/default', 'Always open (no default hours)').then((form) => {
    hours.replaceChildren(form);
    hours.removeAttribute('aria-busy');
  });
  return h('div', { class: 'stack' },
    h('section', { class: 'card' }, h('h2', { text: 'Default opening hours' }),
      h('p', { class: 'hint', text: 'Used by every resource that has no hours of its own.' }), hours),
    h('section', { class: 'card' }, h('h2', { text: 'Global blackout dates' }),
      h('p', { class: 'hint', text: 'Closed days for every resource (holidays...).' }),
      blackoutsPanel(ctx, '/api/v1/blackouts', (bid) => `/api/v1/blackouts/${encodeURIComponent(bid)}`)));
}

export async function openMaintenance(ctx, resource, done) {
  const id = encodeURIComponent(resourceIdOf(resource));
  const box = errorBox();
  const state = h('div', { role: 'status' });
  const reason = h('input', { name: 'reason', maxlength: '500', required: true });
  const hours = h('input', { type: 'number', name: 'auto_reset_hours', min: '0', max: '720', value: '8', required: true });
  const start = h('form', { class: 'stack', 'aria-label': 'Start maintenance' },
    field('Reason', reason),
    field('End automatically after (hours, 0 = until ended by hand)', hours),
    h('button', { type: 'submit', class: 'button danger', text: 'Start maintenance' }));
  const end = h('button', { type: 'button', class: 'button primary', text: 'End maintenance' });
  const dialog = openDialog(`Maintenance: ${resource.name}`, state, box, start, end);
  const refresh = async () => {
    clearError(box);
    try {
      const status = await ctx.api.get(`/api/v1/resources/${id}/status`);
      const inMaintenance = status.status === 'maintenance';
      const until = status.maintenance?.auto_reset_at ?? status.auto_reset_at;
      state.replaceChildren(h('p', {}, 'Current status: ', badge(String(status.status).replace('_', ' '), status.status),
        inMaintenance && until ? ` until ${formatInstant(until)}` : ''));
      start.hidden = inMaintenance;
      end.hidden = !inMaintenance;
    } catch (error) {
      showError(box, error);
    }
  };
  onSubmit(start, box, async () => {
    await ctx.api.put(`/api/v1/resources/${id}/status/unavailable`, { reason: reason.value.trim(), auto_reset_hours: Number(hours.value) });
    toast(`${resource.name} is in maintenance.`);
    done();
    await refresh();
  });
  end.addEventListener('click', () => guarded(box, async () => {
    await ctx.api.put(`/api/v1/resources/${id}/status/available`, {});
    toast(`${resource.name} is back in service.`);
    done();
    dialog.close();
  }));
  end.hidden = true;
  await refresh();
}
