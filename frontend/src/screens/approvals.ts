// Approvals (issue 10): the approver's queue (live: a pushed `approval.*` entry reloads it),
// approve / reject with a message, one request or a whole series (all or nothing); and my
// requests, with their decisions and Withdraw while pending.
import * as approvals from '../api/approvals';
import { badge, card, meta, statusText } from '../components/badge';
import { openDialog, toast } from '../components/dialog';
import { field, h } from '../components/dom';
import { errorBox, onSubmit } from '../components/errors';
import { pagedList } from '../components/paged-list';
import { tabs } from '../components/tabs';
import { formatInstant, formatRange } from '../lib/time';
import type { Session } from '../state';
import { resourceNames } from './waitlist';

type NameOf = (id: string) => Promise<string>;

export function render(session: Session): HTMLElement {
  const nameOf = resourceNames(session);
  const queue = pagedList<approvals.Request>({
    label: 'Requests waiting for my decision',
    emptyText: 'Nothing waits for your decision.',
    listClass: 'cards approvals-queue',
    fetchPage: (cursor, limit) => approvals.pending(session.api, { limit, cursor }),
    renderItem: (request) => queueCard(session, request, nameOf),
  });
  const mine = pagedList<approvals.Request>({
    label: 'My approval requests',
    emptyText: 'You have no approval requests.',
    listClass: 'cards approvals-mine',
    fetchPage: (cursor, limit) => approvals.mine(session.api, { limit, cursor }),
    renderItem: (request) => myCard(session, request, nameOf),
  });
  session.events.on('approvals-changed', () => { void queue.reload(); void mine.reload(); });
  const sections = tabs([
    { id: 'queue', label: 'Waiting for me', render: () => queue.element },
    { id: 'mine', label: 'My requests', render: () => mine.element },
  ], { label: 'Approvals' });
  return h('div', { class: 'approvals' }, sections.element);
}

function title(request: approvals.Request, nameOf: NameOf): HTMLElement {
  const node = h('h3', { text: 'Resource…' });
  void nameOf(request.resource_id).then((name) => { node.textContent = name; });
  return node;
}

function decisionsList(request: approvals.Request): HTMLElement | null {
  if (!request.decisions.length) return null;
  return h('ol', { class: 'decisions', 'aria-label': 'Decisions' }, request.decisions.map((d) => h('li', {
    text: `Step ${d.step + 1}: ${d.decision}d ${formatInstant(d.at)}${d.message ? ` · “${d.message}”` : ''}`,
  })));
}

function queueCard(session: Session, request: approvals.Request, nameOf: NameOf): HTMLElement {
  const name = title(request, nameOf);
  const decide = (decision: approvals.Decision, whole: boolean) => () => openDecision(session, request, name.textContent ?? '', decision, whole);
  const series = request.series_id;
  return card({ class: 'approval', dataset: { reservationId: request.reservation_id, ...(series ? { seriesId: series } : {}) } }, name,
    [badge(`step ${request.step + 1} of ${request.steps}`, 'pending_approval'), series ? badge('series', 'series') : null],
    h('p', { class: 'when', text: formatRange(request.start_time, request.end_time) }),
    meta([['Requested by', request.requester_id], ['Requested', formatInstant(request.created_at)]]),
    decisionsList(request),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button primary', text: 'Approve…', onclick: decide('approve', false) }),
      h('button', { type: 'button', class: 'button danger', text: 'Reject…', onclick: decide('reject', false) }),
      series ? h('button', { type: 'button', class: 'button', text: 'Approve whole series…', onclick: decide('approve', true) }) : null,
      series ? h('button', { type: 'button', class: 'button', text: 'Reject whole series…', onclick: decide('reject', true) }) : null));
}

/** Approve or reject with a message; `whole`: every pending occurrence of the series. */
function openDecision(session: Session, request: approvals.Request, name: string, decision: approvals.Decision, whole: boolean): void {
  const message = h('textarea', { name: 'message', rows: '2', maxlength: '500' });
  const box = errorBox();
  const verb = decision === 'approve' ? 'Approve' : 'Reject';
  const what = whole ? 'every pending occurrence of this series' : formatRange(request.start_time, request.end_time);
  const form = h('form', { class: 'stack', 'aria-label': `${verb} request` },
    h('p', { text: `${name}: ${what}` }),
    whole && decision === 'approve'
      ? h('p', { class: 'notice', text: 'All or nothing: if one occurrence cannot be approved, none is, and the reasons are listed.' }) : null,
    field('Message to the requester (optional)', message),
    box,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: `button ${decision === 'approve' ? 'primary' : 'danger'}`, text: whole ? `${verb} series` : verb }),
      h('button', { type: 'button', class: 'button', text: 'Cancel', onclick: () => dialog.close() })));
  onSubmit(form, box, async () => {
    if (whole && request.series_id) {
      const answer = await approvals.respondSeries(session.api, request.series_id, decision, message.value.trim());
      toast(`${verb}d ${answer.decided.length} occurrence${answer.decided.length === 1 ? '' : 's'}${answer.refused.length ? `; ${answer.refused.length} refused` : ''}.`);
    } else {
      const answer = await approvals.respond(session.api, request.reservation_id, decision, message.value.trim(), request.step);
      toast(answer.status === 'pending' ? `Approved step ${request.step + 1}: passed to the next approver.` : `Request ${answer.status}.`);
    }
    dialog.close();
    session.events.emit('approvals-changed', { source: 'local' });
  });
  const dialog = openDialog(`${verb}${whole ? ' whole series' : ''}`, form);
  message.focus();
}

function myCard(session: Session, request: approvals.Request, nameOf: NameOf): HTMLElement {
  const name = title(request, nameOf);
  const pending = request.status === 'pending';
  return card({ class: 'approval mine', dataset: { reservationId: request.reservation_id, status: request.status } }, name,
    [badge(statusText(request.status), pending ? 'pending_approval' : request.status === 'approved' ? 'active' : 'cancelled')],
    h('p', { class: 'when', text: formatRange(request.start_time, request.end_time) }),
    meta([
      ['Step', pending ? `${request.step + 1} of ${request.steps}` : null],
      // An approval's reason is its last message, already in the decisions below.
      ['Reason', request.status === 'approved' ? null : request.closed_reason ?? null],
    ]),
    decisionsList(request),
    pending ? h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button danger', text: 'Withdraw…', onclick: () => openWithdraw(session, request, name.textContent ?? '') })) : null);
}

function openWithdraw(session: Session, request: approvals.Request, name: string): void {
  const reason = h('textarea', { name: 'reason', rows: '2', maxlength: '500' });
  const box = errorBox();
  const form = h('form', { class: 'stack', 'aria-label': 'Withdraw request' },
    h('p', { text: `${name}: ${formatRange(request.start_time, request.end_time)}` }),
    field('Reason (optional)', reason),
    box,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button danger', text: 'Withdraw request' }),
      h('button', { type: 'button', class: 'button', text: 'Keep it', onclick: () => dialog.close() })));
  onSubmit(form, box, async () => {
    await approvals.withdraw(session.api, request.reservation_id, reason.value.trim());
    dialog.close();
    toast('Request withdrawn.');
    session.events.emit('approvals-changed', { source: 'local' });
    session.events.emit('reservations-changed', { source: 'local', resourceId: request.resource_id });
  });
  const dialog = openDialog('Withdraw request', form);
  reason.focus();
}
