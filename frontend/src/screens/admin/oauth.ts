// Admin: OAuth2 client-credentials clients (machine access to the API): register one with its
// scopes (the secret is shown once), list them (cursor pages), delete.
import * as oauth from '../../api/oauth';
import { badge } from '../../components/badge';
import { confirmAction } from '../../components/confirm';
import { toast } from '../../components/dialog';
import { field, h, titledForm } from '../../components/dom';
import { errorBox, onSubmit } from '../../components/errors';
import { pagedList } from '../../components/paged-list';
import { showSecretOnce } from '../../components/secret';
import { formatInstant } from '../../lib/time';
import type { Session } from '../../state';

export function render(session: Session): HTMLElement {
  const listing = pagedList<oauth.OAuthClient>({
    label: 'OAuth clients',
    emptyText: 'No clients yet.',
    listClass: 'rows',
    fetchPage: (cursor, limit) => oauth.list(session.api, { limit, cursor }),
    renderItem: (client) => clientRow(session, client, () => void listing.reload()),
    keyOf: (client) => client.client_id,
  });
  return h('div', { class: 'admin-oauth stack' }, createForm(session, (c) => listing.prepend(c)), listing.element);
}

function createForm(session: Session, created: (client: oauth.OAuthClient) => void): HTMLFormElement {
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: '100' });
  const boxes = oauth.SCOPES.map((scope) => h('input', { type: 'checkbox', name: 'scope', value: scope, defaultChecked: scope.endsWith(':read') }));
  const box = errorBox();
  const form = titledForm('h2', 'Register a client',
    field('Name', name, 'Who or what uses it, e.g. "Room display, floor 2".'),
    h('fieldset', { class: 'event-picker' }, h('legend', { text: 'Scopes' }),
      boxes.map((input) => h('label', { class: 'chip' }, input, ` ${input.value}`))),
    box,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary', text: 'Register client' })));
  onSubmit(form, box, async () => {
    const scopes = boxes.filter((b) => b.checked).map((b) => b.value);
    if (!scopes.length) throw new Error('Pick at least one scope.');
    const client = await oauth.create(session.api, name.value.trim(), scopes);
    form.reset();
    created(client);
    showSecretOnce(`Client ${client.name} registered`, 'Client secret', client.client_secret ?? '',
      `Client id: ${client.client_id}. Exchange both at POST /api/v1/oauth/token (grant_type=client_credentials).`);
  });
  return form;
}

function clientRow(session: Session, client: oauth.OAuthClient, changed: () => void): HTMLElement {
  return h('li', { class: 'row-item', dataset: { clientId: client.client_id } },
    h('div', { class: 'row-main' },
      h('strong', { text: client.name }), ' ',
      client.scopes.map((s) => badge(s, 'info')),
      h('div', { class: 'hint', text: `Id ${client.client_id} · registered ${formatInstant(client.created_at)} by ${client.owner_id}` })),
    h('div', { class: 'actions' }, h('button', {
      type: 'button', class: 'button danger', text: 'Delete', 'aria-label': `Delete client ${client.name}`,
      onclick: () => confirmAction(`Delete client ${client.name}`, 'Its tokens stop working at once.', 'Delete', async () => {
        await oauth.remove(session.api, client.client_id);
        toast(`Client ${client.name} deleted.`);
        changed();
      }),
    })));
}
