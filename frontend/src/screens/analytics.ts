// Analytics (issue 12): headline figures, booked versus used per day, utilisation per
// resource, tag, building or location (filtered by building or location), a weekday x hour heatmap and CSV exports. Admins see everyone's figures,
// anyone else their own. Every chart has a table next to it (in a disclosure) with the same
// numbers, and the heatmap is itself a table, so screen readers get every figure.
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip,
} from 'chart.js';
import * as analytics from '../api/analytics';
import type { Filters, Grouping, Range } from '../api/analytics';
import * as catalog from '../api/catalog';
import { field, h } from '../components/dom';
import { clearError, errorBox, guarded, onSubmit, showError } from '../components/errors';
import type { Session } from '../state';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const TOP = 10;

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : `${(value * 100).toFixed(1)} %`;
}

function card(title: string, id: string, ...body: Node[]): HTMLElement {
  return h('section', { class: 'card panel analytics-card', 'aria-labelledby': id },
    h('h2', { id, text: title }), ...body);
}

/** A table of rows (the text alternative of a chart, or a list of figures). */
function table(caption: string, headers: string[], rows: (string | number)[][]): HTMLTableElement {
  return h('table', { class: 'data-table' },
    h('caption', { text: caption }),
    h('thead', null, h('tr', null, ...headers.map((t) => h('th', { scope: 'col', text: t })))),
    h('tbody', null, ...rows.map((row) => h('tr', null,
      ...row.map((cell, i) => (i === 0 ? h('th', { scope: 'row', text: String(cell) }) : h('td', { text: String(cell) })))))));
}

/** A bar chart with its data as a table in a disclosure right below it. */
function barChart(label: string, labels: string[], series: { name: string; values: number[] }[], horizontal = false): HTMLElement {
  const canvas = h('canvas', { role: 'img', 'aria-label': `${label} (chart; the table below has the same figures)` });
  const box = h('div', { class: 'chart-box' }, canvas);
  const rows = labels.map((l, i) => [l, ...series.map((s) => s.values[i] ?? 0)]);
  const alt = h('details', { class: 'chart-table' },
    h('summary', { text: `${label}: as a table` }),
    table(label, ['', ...series.map((s) => s.name)], rows));
  const colours = ['#1d70b8', '#00703c', '#d4351c', '#6f72af'];
  queueMicrotask(() => {
    new Chart(canvas, {
      type: 'bar',
      data: { labels, datasets: series.map((s, i) => ({ label: s.name, data: s.values, backgroundColor: colours[i % colours.length] })) },
      options: { animation: false, maintainAspectRatio: false, indexAxis: horizontal ? 'y' : 'x', responsive: true },
    });
  });
  return h('div', { class: 'chart' }, box, alt);
}

/** The weekday x hour heatmap: a real table whose cells are shaded by level. */
function heatmap(matrix: number[][], tz: string): HTMLElement {
  const max = Math.max(0, ...matrix.flat());
  const level = (v: number) => (max === 0 || v === 0 ? 0 : Math.max(1, Math.ceil((v / max) * 5)));
  const hours = Array.from({ length: 24 }, (_, i) => String(i).padStart(2, '0'));
  return h('div', { class: 'heatmap-wrap' }, h('table', { class: 'heatmap' },
    h('caption', { text: `Booked hours by weekday and hour (${tz})` }),
    h('thead', null, h('tr', null, h('td'), ...hours.map((x) => h('th', { scope: 'col', text: x })))),
    h('tbody', null, ...matrix.map((row, d) => h('tr', null,
      h('th', { scope: 'row', text: DAYS[d] ?? '' }),
      ...row.map((v) => h('td', { class: `heat-${level(v)}`, text: v ? String(v) : '', title: `${v} h` })))))));
}

/** The location filter's options: every group of the tree, indented by depth. A failure
 * leaves just "Everywhere" (the figures still load). */
async function locationOptions(session: Session, select: HTMLSelectElement): Promise<void> {
  try {
    const { roots } = await catalog.tree(session.api);
    const walk = (nodes: catalog.GroupNode[], depth: number): HTMLOptionElement[] => nodes.flatMap((n) => [
      h('option', { value: n.group.group_id, text: `${'– '.repeat(depth)}${n.group.name}` }),
      ...walk(n.children, depth + 1),
    ]);
    select.append(...walk(roots, 0));
  } catch {
    // the tree is an optional filter
  }
}

function save(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
  const link = h('a', { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function render(session: Session): HTMLElement {
  const today = new Date();
  const from = h('input', { type: 'date', name: 'from', value: isoDay(new Date(today.getTime() - 29 * 86_400_000)) });
  // Up to two weeks ahead: what is booked but not yet used shows too.
  const to = h('input', { type: 'date', name: 'to', value: isoDay(new Date(today.getTime() + 14 * 86_400_000)) });
  const tz = h('input', { type: 'text', name: 'tz', value: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC' });
  const group = h('select', { name: 'group' },
    h('option', { value: 'resource', text: 'per resource' }), h('option', { value: 'tag', text: 'per tag' }),
    h('option', { value: 'building', text: 'per building' }), h('option', { value: 'location', text: 'per location' }));
  const building = h('input', { type: 'text', name: 'building', maxlength: '64' });
  const location = h('select', { name: 'location' }, h('option', { value: '', text: 'Everywhere' }));
  void locationOptions(session, location);
  const filters = (): Filters => ({
    group: group.value as Grouping, building: building.value.trim() || undefined, location: location.value || undefined,
  });
  const box = errorBox();
  const results = h('div', { class: 'analytics-results', 'aria-live': 'polite' });
  const range = (): Range => ({ from: from.value || undefined, to: to.value || undefined });
  const scope = session.me.is_admin ? 'Everyone’s bookings' : 'Your bookings';

  const load = async () => {
    clearError(box);
    results.setAttribute('aria-busy', 'true');
    try {
      const r = range();
      const [dash, usage, util, peaks] = await Promise.all([
        analytics.dashboard(session.api, r),
        analytics.bookedVsUsed(session.api, r),
        analytics.utilisation(session.api, { ...r, ...filters() }),
        analytics.peaks(session.api, { ...r, tz: tz.value || 'UTC' }),
      ]);
      results.replaceChildren(...sections(dash, usage, util.items, peaks, group.value));
    } catch (error) {
      showError(box, error);
    } finally {
      results.removeAttribute('aria-busy');
    }
  };
  const exportButton = (what: 'utilisation' | 'reservations', text: string) =>
    h('button', { type: 'button', class: 'button secondary', text,
      onclick: () => void guarded(box, async () => save(`${what}.csv`,
        await analytics.exportCsv(session.api, what, what === 'utilisation' ? { ...range(), ...filters() } : range()))) });
  const form = onSubmit(h('form', { class: 'analytics-filters', 'aria-label': 'Date range and filters' },
    field('From', from), field('To', to), field('Utilisation', group),
    field('Only building', building), field('Only location', location), field('Time zone of the heatmap', tz),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button', text: 'Show' }),
      exportButton('utilisation', 'Export utilisation (CSV)'),
      exportButton('reservations', 'Export reservations (CSV)'))), box, load);
  void load();
  return h('div', { class: 'analytics' }, h('h1', { text: `Analytics: ${scope}` }), form, box, results);
}

function sections(
  dash: analytics.Dashboard, usage: analytics.BookedVsUsed, rows: analytics.UtilisationRow[],
  peaks: analytics.Peaks, group: string,
): HTMLElement[] {
  const figures: [string, string | number][] = [
    ['Reservations', dash.reservations],
    ['Booked hours', dash.booked_hours],
    ['Checked-in hours', dash.checked_in_hours],
    ['No-show rate', percent(dash.no_show_rate)],
    ['Released and rebooked hours', dash.released_rebooked_hours],
    ['Cancellation rate', percent(dash.cancellation_rate)],
    ['Average lead time (hours)', dash.avg_lead_hours ?? '–'],
  ];
  if (dash.utilisation !== undefined) figures.push(['Utilisation', percent(dash.utilisation)]);
  const kpis = h('dl', { class: 'kpis' }, ...figures.flatMap(([k, v]) => [h('dt', { text: k }), h('dd', { text: String(v) })]));
  const days = usage.days.map((d) => d.date);
  const used = barChart('Booked versus used hours per day', days, [
    { name: 'Booked', values: usage.days.map((d) => d.booked_hours) },
    { name: 'Checked in', values: usage.days.map((d) => d.checked_in_hours) },
    { name: 'Released and rebooked', values: usage.days.map((d) => d.released_rebooked_hours) },
  ]);
  const top = [...rows].sort((a, b) => (b.utilisation ?? 0) - (a.utilisation ?? 0)).slice(0, TOP);
  const label = (r: analytics.UtilisationRow) =>
    (group === 'tag' ? r.tag : group === 'building' ? r.building : r.name) ?? r.resource_id ?? r.location_id ?? '';
  const names = top.map(label);
  const util = barChart(`Utilisation (booked / open hours, %), top ${TOP}`, names, [
    { name: 'Utilisation %', values: top.map((r) => Math.round((r.utilisation ?? 0) * 1000) / 10) },
  ], true);
  return [
    card('Headline figures', 'an-kpis', kpis),
    card('Booked versus used', 'an-used', used),
    card('Utilisation', 'an-util', util),
    card('Peak times', 'an-peaks', heatmap(peaks.matrix, peaks.tz)),
  ];
}
