// Import / export of reservations (issue 14): upload a CSV, check it (dry run) and see what
// would be booked or every row's problem, then import it (all or nothing); export my
// (admins: everyone's) reservations as CSV, page after page.
import * as io from '../api/reservations_io';
import { statusText } from '../components/badge';
import { clear, field, h } from '../components/dom';
import { saveText } from '../components/download';
import { clearError, errorBox, guarded, showError } from '../components/errors';
import { formatInstant } from '../lib/time';
import type { Session } from '../state';

const MAX_BYTES = 1_000_000;

function table(caption: string, headers: string[], rows: string[][]): HTMLTableElement {
  return h('table', { class: 'data-table' },
    h('caption', { text: caption }),
    h('thead', null, h('tr', null, ...headers.map((t) => h('th', { scope: 'col', text: t })))),
    h('tbody', null, ...rows.map((row) => h('tr', null,
      ...row.map((cell, i) => (i === 0 ? h('th', { scope: 'row', text: cell }) : h('td', { text: cell })))))));
}

function problemsTable(problems: io.ImportProblem[]): HTMLTableElement {
  return table(`${problems.length} problem(s): nothing is imported until every row is fixed`,
    ['Row', 'Line', 'Column', 'Problem'],
    problems.map((p) => [p.row ? String(p.row) : 'file', String(p.line), p.column || '-', `${p.message} (${p.code})`]));
}

function rowsTable(caption: string, rows: io.ImportRow[]): HTMLTableElement {
  return table(caption, ['Row', 'Resource', 'Start', 'End', 'Status'],
    rows.map((r) => [String(r.row), r.resource_id, formatInstant(r.start_time), formatInstant(r.end_time), statusText(r.status)]));
}

function importSection(session: Session): HTMLElement {
  const file = h('input', { type: 'file', name: 'file', accept: '.csv,text/csv', id: 'import-file' });
  const box = errorBox();
  const result = h('div', { class: 'import-result', 'aria-live': 'polite' });
  const run = async (dryRun: boolean): Promise<void> => {
    clearError(box);
    clear(result);
    const chosen = file.files?.[0];
    if (!chosen) return showError(box, new Error('Choose a CSV file first.'));
    if (chosen.size > MAX_BYTES) return showError(box, new Error('The file is larger than 1 MB.'));
    result.setAttribute('aria-busy', 'true');
    try {
      const answer = await io.importCsv(session.api, await chosen.text(), dryRun);
      if (!dryRun) {
        result.append(h('p', { class: 'success', text: `Imported ${answer.imported} reservation(s).` }),
          rowsTable('Booked', answer.rows));
        session.events.emit('reservations-changed', { source: 'local' });
      } else if (answer.ok) {
        result.append(h('p', { text: `Dry run: all ${answer.rows.length} row(s) can be booked. Nothing was written yet.` }),
          rowsTable('Would be booked', answer.rows));
      } else {
        result.append(h('p', { text: 'Dry run: some rows cannot be booked. Nothing was written.' }),
          problemsTable(answer.errors));
      }
    } catch (error) {
      const problems = io.problemsOf(error);
      showError(box, problems.length ? new Error('Nothing was imported: fix the rows below and try again.') : error);
      if (problems.length) result.append(problemsTable(problems));
    } finally {
      result.removeAttribute('aria-busy');
    }
  };
  const columns = 'Header row: resource (id or name), start, end (ISO 8601, e.g. 2026-12-07T09:00), '
    + 'and optionally timezone (e.g. Europe/Berlin), title, notes'
    + (session.me.is_admin ? ', user (id or username: book for someone else).' : '.');
  return h('section', { class: 'card panel stack', 'aria-labelledby': 'import-heading' },
    h('h2', { id: 'import-heading', text: 'Import reservations from CSV' }),
    h('p', { text: columns }),
    h('p', { class: 'hint', text: 'All or nothing: if any row cannot be booked, nothing is, and every problem is listed with its row. Check first with a dry run.' }),
    field('CSV file (max 1 MB, 1000 rows)', file),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button', text: 'Check (dry run)', onclick: () => void run(true) }),
      h('button', { type: 'button', class: 'button primary', text: 'Import', onclick: () => void run(false) })),
    box, result);
}

/** A date input's day as the instant its local midnight is (the API wants an offset). */
function dayStart(day: string): string | undefined {
  return day ? new Date(`${day}T00:00`).toISOString() : undefined;
}

function exportSection(session: Session): HTMLElement {
  const from = h('input', { type: 'date', name: 'from' });
  const to = h('input', { type: 'date', name: 'to' });
  const box = errorBox();
  const status = h('p', { role: 'status' });
  const scope = session.me.is_admin ? 'everyone’s reservations' : 'your reservations';
  const go = () => void guarded(box, async () => {
    status.textContent = 'Exporting…';
    const query = { from: dayStart(from.value), to: dayStart(to.value) };
    const text = await io.exportCsv(session.api, query, (pages) => { status.textContent = `Exporting… ${pages} page(s)`; });
    saveText('reservations.csv', text);
    status.textContent = 'Exported reservations.csv.';
  }).finally(() => { if (status.textContent?.startsWith('Exporting')) status.textContent = ''; });
  return h('section', { class: 'card panel stack', 'aria-labelledby': 'export-heading' },
    h('h2', { id: 'export-heading', text: `Export ${scope}` }),
    h('p', { class: 'hint', text: 'Default: from 30 days ago. Cells a spreadsheet could run as formulas are quoted.' }),
    field('From', from), field('To', to),
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button', text: 'Export CSV', onclick: go })),
    box, status);
}

export function render(session: Session): HTMLElement {
  return h('div', { class: 'import-export stack' },
    h('h1', { text: 'Import and export reservations' }),
    session.canBook ? importSection(session) : null,
    exportSection(session));
}
