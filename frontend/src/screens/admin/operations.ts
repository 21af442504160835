// Admin: the scheduled jobs (what each does, how often; run one now and see its result) and the
// workers' dead letters per queue (the oldest messages, why they failed; redrive them).
import * as ops from '../../api/operations';
import { badge } from '../../components/badge';
import { confirmAction } from '../../components/confirm';
import { toast } from '../../components/dialog';
import { h } from '../../components/dom';
import { errorBox, guarded } from '../../components/errors';
import { formatInstant } from '../../lib/time';
import type { Session } from '../../state';

export function render(session: Session): HTMLElement {
  return h('div', { class: 'admin-operations stack' }, jobsSection(session), deadLettersSection(session));
}

function jobsSection(session: Session): HTMLElement {
  const box = errorBox();
  const list = h('ul', { class: 'rows', 'aria-label': 'Scheduled jobs' });
  void guarded(box, async () => {
    const jobs = await ops.jobs(session.api);
    list.replaceChildren(...jobs.map((job) => jobRow(session, job)));
  });
  return h('section', { class: 'stack', 'aria-labelledby': 'jobs-title' },
    h('h2', { id: 'jobs-title', text: 'Scheduled jobs' }), box, list);
}

function jobRow(session: Session, job: ops.Job): HTMLElement {
  const box = errorBox();
  const result = h('div', { class: 'hint', role: 'status' });
  const run = h('button', {
    type: 'button', class: 'button', text: 'Run now', 'aria-label': `Run now: ${job.name}`,
    onclick: () => guarded(box, async () => {
      run.disabled = true;
      try {
        const answer = await ops.runJob(session.api, job.name);
        result.textContent = `Ran ${formatInstant(answer.started_at)}: ${resultText(answer.result)}`;
        toast(`${job.name} ran.`);
      } finally {
        run.disabled = false;
      }
    }),
  });
  return h('li', { class: 'row-item', dataset: { job: job.name } },
    h('div', { class: 'row-main' }, h('strong', { text: job.name }),
      h('div', { text: job.description }),
      h('div', { class: 'hint', text: `Every ${job.rate_minutes} min` }), result),
    h('div', { class: 'actions' }, run), box);
}

/** {"expired": 3, "checked": 10} -> "expired 3, checked 10". */
export function resultText(result: Record<string, number>): string {
  const parts = Object.entries(result).map(([key, value]) => `${key.replace(/_/g, ' ')} ${value}`);
  return parts.length ? parts.join(', ') : 'nothing to do';
}

function deadLettersSection(session: Session): HTMLElement {
  const box = errorBox();
  const list = h('div', { class: 'stack', 'aria-live': 'polite' });
  const load = (): Promise<unknown> => guarded(box, async () => {
    list.setAttribute('aria-busy', 'true');
    try {
      const queues = await ops.deadLetters(session.api);
      list.replaceChildren(...queues.map((q) => queueCard(session, q, load)));
    } finally {
      list.removeAttribute('aria-busy');
    }
  });
  void load();
  return h('section', { class: 'stack', 'aria-labelledby': 'dlq-title' },
    h('div', { class: 'card-head' }, h('h2', { id: 'dlq-title', text: 'Dead letters' }),
      h('button', { type: 'button', class: 'button', text: 'Refresh', onclick: () => void load() })),
    h('p', { class: 'hint', text: 'Messages a worker gave up on after its retries. Fix the cause, then redrive them to the worker\'s queue.' }),
    box, list);
}

function queueCard(session: Session, queue: ops.DeadLetterQueue, reload: () => Promise<unknown>): HTMLElement {
  const box = errorBox();
  const count = queue.approximate_count;
  const redrive = h('button', {
    type: 'button', class: 'button', text: 'Redrive', disabled: count === 0, 'aria-label': `Redrive ${queue.queue}`,
    onclick: () => confirmAction(`Redrive ${queue.queue}`,
      `Move up to 100 dead letters (about ${count} waiting) back to ${queue.queue} for another try?`, 'Redrive', async () => {
        const moved = await ops.redrive(session.api, queue.queue);
        toast(`${moved.moved} message${moved.moved === 1 ? '' : 's'} moved back to ${queue.queue}.`);
        await reload();
      }, false),
  });
  return h('article', { class: 'card dead-letters', dataset: { queue: queue.queue }, 'aria-label': `Dead letters of ${queue.queue}` },
    h('div', { class: 'card-head' }, h('h3', { text: queue.queue }),
      h('span', { class: 'badges' }, count ? badge(`${count} waiting`, 'failed') : badge('empty', 'succeeded'))),
    h('p', { class: 'hint', text: `Dead-letter queue: ${queue.dlq}` }),
    queue.messages.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'data' },
      h('caption', { class: 'visually-hidden', text: `Oldest dead letters of ${queue.queue}` }),
      h('thead', {}, h('tr', {}, ['Sent', 'Event', 'Tries', 'Reason', 'Body'].map((c) => h('th', { scope: 'col', text: c })))),
      h('tbody', {}, queue.messages.map((m) => h('tr', { dataset: { messageId: m.message_id } },
        h('td', { text: sentText(m.sent_at) }),
        h('td', { text: m.event_name || '—' }),
        h('td', { text: String(m.receive_count) }),
        h('td', { text: m.reason || '—' }),
        h('td', {}, h('div', { class: 'excerpt', text: m.body_excerpt }))))))) : null,
    h('div', { class: 'actions' }, redrive), box);
}

/** SQS gives epoch milliseconds as text. */
function sentText(sentAt: string): string {
  const ms = Number(sentAt);
  return Number.isFinite(ms) && ms > 0 ? formatInstant(new Date(ms).toISOString()) : sentAt;
}
