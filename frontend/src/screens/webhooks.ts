// My webhooks: create / edit (URL, event picker, description, active), the signing secret shown
// once (create, rotate), a test ping, delete; each webhook's delivery log (cursor pages) with
// status and the receiver's response excerpt, details and redeliver. Admins also manage the
// SSRF allow-list (private networks a webhook may reach). Guests may only read.
import * as hooks from '../api/webhooks';
import { badge } from '../components/badge';
import { confirmAction } from '../components/confirm';
import { openDialog, toast } from '../components/dialog';
import { checkbox, field, h } from '../components/dom';
import { errorBox, guarded, onSubmit } from '../components/errors';
import { pagedList, pagedTable } from '../components/paged-list';
import { showSecretOnce } from '../components/secret';
import { formatInstant } from '../lib/time';
import { chosenEvents, lastAttemptText, lastExcerpt, pickerState } from '../lib/webhooks';
import type { Session } from '../state';

export function render(session: Session): HTMLElement {
  const catalogue = hooks.eventTypes(session.api).catch(() => [] as hooks.EventType[]);
  const listing = pagedList<hooks.Webhook>({
    label: 'My webhooks',
    emptyText: 'No webhooks yet.',
    listClass: 'cards webhooks',
    fetchPage: (cursor, limit) => hooks.list(session.api, { limit, cursor }),
    renderItem: (hook) => webhookCard(session, hook, catalogue, () => void listing.reload()),
    keyOf: (hook) => hook.webhook_id,
  });
  const create = h('button', {
    type: 'button', class: 'button primary', text: 'New webhook', hidden: !session.canBook,
    onclick: () => openEditor(session, catalogue, null, (created) => listing.prepend(created)),
  });
  return h('div', { class: 'webhooks-screen stack' },
    h('p', { class: 'hint', text: 'A webhook POSTs each chosen event, signed with its secret, to your URL. Failed deliveries are retried; the log shows every attempt.' }),
    h('div', { class: 'toolbar' }, create),
    listing.element,
    session.me.is_admin ? allowListSection(session) : null);
}

function webhookCard(session: Session, hook: hooks.Webhook, catalogue: Promise<hooks.EventType[]>, changed: () => void): HTMLElement {
  const box = errorBox();
  const events = hook.events.includes('*') ? 'every event' : hook.events.join(', ');
  const act = (text: string, label: string, onclick: () => unknown, cls = 'button'): HTMLButtonElement =>
    h('button', { type: 'button', class: cls, text, 'aria-label': `${label}: ${hook.url}`, onclick });
  const actions = h('div', { class: 'actions' },
    act('Deliveries', 'Deliveries', () => openDeliveries(session, hook)));
  if (session.canBook) {
    actions.append(
      act('Edit', 'Edit', () => openEditor(session, catalogue, hook, changed)),
      act('Send test', 'Send test', () => guarded(box, async () => {
        await hooks.test(session.api, hook.webhook_id);
        toast('Test ping queued: see the deliveries.');
      })),
      act('Rotate secret', 'Rotate secret', () => confirmAction('Rotate the signing secret',
        'The old secret stops working at once; your receiver must use the new one.', 'Rotate', async () => {
          const rotated = await hooks.rotateSecret(session.api, hook.webhook_id);
          return () => void showSecretOnce('New signing secret', 'Signing secret', rotated.secret, hook.url);
        }, false)),
      act('Delete', 'Delete', () => confirmAction('Delete webhook', `Delete the webhook to ${hook.url}? Its delivery log goes with it.`, 'Delete', async () => {
        await hooks.remove(session.api, hook.webhook_id);
        toast('Webhook deleted.');
        changed();
      }), 'button danger'));
  }
  return h('li', { class: 'card webhook', dataset: { webhookId: hook.webhook_id } },
    h('div', { class: 'card-head' }, h('h3', { class: 'url', text: hook.url }),
      h('span', { class: 'badges' }, hook.active ? badge('active', 'active') : badge('paused', 'disabled'))),
    hook.description ? h('p', { class: 'description', text: hook.description }) : null,
    h('p', { class: 'hint', text: `Events: ${events} · since ${formatInstant(hook.created_at)}` }),
    actions, box);
}

/** Create (hook null) or edit; the event picker lists the catalogue with each event's meaning. */
function openEditor(session: Session, catalogue: Promise<hooks.EventType[]>, hook: hooks.Webhook | null, done: (saved: hooks.Webhook) => void): void {
  const url = h('input', { type: 'url', name: 'url', required: true, maxlength: '2048', value: hook?.url ?? '', placeholder: 'https://example.com/hooks/reserver' });
  const description = h('input', { type: 'text', name: 'description', maxlength: '500', value: hook?.description ?? '' });
  const active = h('input', { type: 'checkbox', name: 'active', checked: hook?.active ?? true });
  const state = pickerState(hook?.events ?? []);
  const everything = h('input', { type: 'checkbox', name: 'all-events', checked: state.everything });
  const picker = h('fieldset', { class: 'event-picker', 'aria-busy': 'true' }, h('legend', { text: 'Events' }));
  const boxes = new Map<string, HTMLInputElement>();
  const sync = (): void => { boxes.forEach((input) => { input.disabled = everything.checked; }); };
  everything.addEventListener('change', sync);
  void catalogue.then((types) => {
    for (const type of types) {
      const input = h('input', { type: 'checkbox', name: 'event', value: type.name, checked: state.picked.has(type.name) });
      boxes.set(type.name, input);
      const row = checkbox(type.name, input);
      row.title = type.description;
      picker.append(row);
    }
    picker.removeAttribute('aria-busy');
    sync();
  });
  const box = errorBox();
  const form = h('form', { class: 'stack', 'aria-label': hook ? 'Edit webhook' : 'New webhook' },
    field('URL', url, 'https:// (http:// only to networks an administrator allowed).'),
    field('Description', description),
    checkbox('Every event, present and future', everything),
    picker,
    checkbox('Active (paused webhooks receive nothing)', active),
    box,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button primary', text: hook ? 'Save' : 'Create webhook' }),
      h('button', { type: 'button', class: 'button', text: 'Cancel', onclick: () => dialog.close() })));
  onSubmit(form, box, async () => {
    const picked = new Set([...boxes.values()].filter((b) => b.checked).map((b) => b.value));
    const events = chosenEvents([...boxes.keys()], picked, everything.checked);
    if (!events.length) throw new Error('Pick at least one event (or every event).');
    const body = { url: url.value.trim(), events, description: description.value.trim(), active: active.checked };
    if (hook) {
      done(await hooks.update(session.api, hook.webhook_id, body));
      dialog.close();
      toast('Webhook saved.');
      return;
    }
    const created = await hooks.create(session.api, body);
    dialog.close();
    done(created);
    showSecretOnce('Webhook created: its signing secret', 'Signing secret', created.secret,
      'Verify the X-Webhook-Signature header of each delivery with it.');
  });
  const dialog = openDialog(hook ? 'Edit webhook' : 'New webhook', form);
  url.focus();
}

function openDeliveries(session: Session, hook: hooks.Webhook): void {
  const box = errorBox();
  const table = pagedTable<hooks.Delivery>(['When', 'Event', 'Status', 'Last attempt', 'Response', ''], {
    label: `Deliveries to ${hook.url}`,
    emptyText: 'No deliveries yet. "Send test" queues one.',
    pageSize: 10,
    fetchPage: (cursor, limit) => hooks.deliveries(session.api, hook.webhook_id, { limit, cursor }),
    renderItem: (d) => deliveryRow(session, hook, d, box, () => void table.reload()),
  });
  const refresh = h('button', { type: 'button', class: 'button', text: 'Refresh', onclick: () => void table.reload() });
  openDialog(`Deliveries: ${hook.url}`, h('div', { class: 'deliveries stack' }, h('div', { class: 'toolbar' }, refresh), box, table.element))
    .classList.add('wide');
}

function deliveryRow(session: Session, hook: hooks.Webhook, d: hooks.Delivery, box: HTMLElement, changed: () => void): HTMLTableRowElement {
  const excerpt = lastExcerpt(d.attempts);
  return h('tr', { dataset: { deliveryId: d.delivery_id, status: d.status } },
    h('td', { text: formatInstant(d.created_at) }),
    h('td', {}, d.event_name, d.redelivery_of ? h('div', { class: 'hint', text: 'redelivery' }) : null),
    h('td', {}, badge(d.status, d.status)),
    h('td', { text: lastAttemptText(d.attempts) }),
    h('td', {}, excerpt ? h('div', { class: 'excerpt', text: excerpt.slice(0, 200) }) : '—'),
    h('td', { class: 'actions' },
      h('button', { type: 'button', class: 'button', text: 'Details', 'aria-label': `Details of ${d.event_name} at ${formatInstant(d.created_at)}`,
        onclick: () => guarded(box, async () => openDelivery(await hooks.deliveryDetail(session.api, hook.webhook_id, d.delivery_id))) }),
      session.canBook ? h('button', { type: 'button', class: 'button', text: 'Redeliver', 'aria-label': `Redeliver ${d.event_name} at ${formatInstant(d.created_at)}`,
        onclick: () => guarded(box, async () => {
          await hooks.redeliver(session.api, hook.webhook_id, d.delivery_id);
          toast('Redelivery queued.');
          changed();
        }) }) : null));
}

function openDelivery(d: hooks.DeliveryDetail): void {
  openDialog(`Delivery of ${d.event_name}`,
    h('dl', { class: 'meta' },
      h('dt', { text: 'Status' }), h('dd', {}, badge(d.status, d.status)),
      h('dt', { text: 'Created' }), h('dd', { text: formatInstant(d.created_at) }),
      d.next_attempt_at ? [h('dt', { text: 'Next attempt' }), h('dd', { text: formatInstant(d.next_attempt_at) })] : null),
    h('h3', { text: 'Attempts' }),
    d.attempts.length ? h('ol', { class: 'attempts' }, d.attempts.map((a) => h('li', {},
      h('div', { text: `${formatInstant(a.at)}: ${a.status_code ? `HTTP ${a.status_code}` : 'no answer'}, ${a.latency_ms} ms${a.error ? ` (${a.error})` : ''}` }),
      a.response_excerpt ? h('div', { class: 'excerpt', text: a.response_excerpt }) : null))) : h('p', { text: 'Not attempted yet.' }),
    h('h3', { text: 'Payload (as signed)' }),
    h('pre', { class: 'excerpt', text: d.payload }));
}

/** Admins: the networks a webhook may reach although private (SSRF allow-list). */
function allowListSection(session: Session): HTMLElement {
  const box = errorBox();
  const list = h('ul', { class: 'rows', 'aria-label': 'Allowed private networks' });
  const load = (): Promise<void> => guarded(box, async () => {
    const entries = await hooks.allowList(session.api);
    list.replaceChildren(...(entries.length ? entries.map((e) => h('li', { class: 'row-item' },
      h('div', { class: 'row-main' }, h('strong', { text: e.network + (e.port ? `:${e.port}` : '') }),
        h('div', { class: 'hint', text: [e.webhook_id ? `webhook ${e.webhook_id}` : `owner ${e.owner_id ?? ''}`, e.note, `by ${e.created_by}`].filter(Boolean).join(' · ') })),
      h('button', { type: 'button', class: 'button danger', text: 'Remove', 'aria-label': `Remove ${e.network}`,
        onclick: () => guarded(box, async () => { await hooks.disallow(session.api, e.entry_id); await load(); }) })))
      : [h('li', { class: 'hint', text: 'No private network is allowed.' })]));
  }).then(() => undefined);
  const network = h('input', { type: 'text', name: 'network', required: true, maxlength: '64', placeholder: '10.0.0.0/24' });
  const port = h('input', { type: 'number', name: 'port', min: '1', max: '65535' });
  const target = h('input', { type: 'text', name: 'target', required: true, maxlength: '64' });
  const kind = h('select', { name: 'kind' }, h('option', { value: 'webhook', text: 'One webhook (id)' }), h('option', { value: 'owner', text: "One user's webhooks (user id)" }));
  const note = h('input', { type: 'text', name: 'note', maxlength: '200' });
  const formBox = errorBox();
  const form = h('form', { class: 'filters', 'aria-label': 'Allow a private network' },
    field('Network (IP or CIDR)', network), field('Port (optional)', port), field('For', kind), field('Id', target), field('Note', note),
    h('button', { type: 'submit', class: 'button', text: 'Allow' }), formBox);
  onSubmit(form, formBox, async () => {
    const id = target.value.trim();
    await hooks.allow(session.api, {
      network: network.value.trim(), port: port.value ? Number(port.value) : null, note: note.value.trim(),
      webhook_id: kind.value === 'webhook' ? id : null, owner_id: kind.value === 'owner' ? id : null,
    });
    form.reset();
    toast('Network allowed.');
    await load();
  });
  void load();
  return h('section', { class: 'stack', 'aria-labelledby': 'allowlist-title' },
    h('h2', { id: 'allowlist-title', text: 'Private networks webhooks may reach (administrators)' }),
    h('p', { class: 'hint', text: 'Webhooks to private, loopback or link-local addresses are refused unless allowed here, for one webhook or one user.' }),
    box, list, form);
}
