// Admin: OAuth2 clients. Register one with its scopes and kind: machine access with client
// credentials, or an app that signs people in with the authorization code flow (confidential
// with a secret, or public with PKCE only; docs/oauth.md). The secret is shown once. List
// them (cursor pages), give or take custom roles (docs/roles.md), delete.
import * as oauth from '../../api/oauth';
import * as roles from '../../api/roles';
import { badge } from '../../components/badge';
import { confirmAction } from '../../components/confirm';
import { openDialog, toast } from '../../components/dialog';
import { field, h, select, titledForm } from '../../components/dom';
import { errorBox, guarded, onSubmit } from '../../components/errors';
import { pagedList } from '../../components/paged-list';
import { showSecretOnce } from '../../components/secret';
import { formatInstant } from '../../lib/time';
import type { Session } from '../../state';

type Kind = 'machine' | 'app' | 'public-app';
const KINDS: ReadonlyArray<readonly [Kind, string]> = [
  ['machine', 'Machine access (client credentials, with a secret)'],
  ['app', 'App that signs people in (code flow, with a secret)'],
  ['public-app', 'Public app: browser or mobile (code flow + PKCE, no secret)'],
];

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

/** The request body for a kind: code-flow clients need their exact redirect URIs. */
export function clientBody(name: string, scopes: string[], kind: Kind, redirects: string): oauth.OAuthClientCreate {
  if (kind === 'machine') return { name, scopes };
  const uris = redirects.split('\n').map((line) => line.trim()).filter(Boolean);
  return { name, scopes, redirect_uris: uris, grant_types: ['authorization_code', 'refresh_token'], public: kind === 'public-app' };
}

function createForm(session: Session, created: (client: oauth.OAuthClient) => void): HTMLFormElement {
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: '100' });
  const kind = select('kind', KINDS, 'machine');
  const redirects = h('textarea', { name: 'redirect_uris', rows: 2 });
  const redirectField = field('Redirect URIs', redirects,
    'One per line, exactly as the app sends them: https, or http on 127.0.0.1 / localhost for apps on the same machine.');
  const showRedirects = (): void => { redirectField.hidden = kind.value === 'machine'; };
  kind.addEventListener('change', showRedirects);
  showRedirects();
  const boxes = oauth.SCOPES.map((scope) => h('input', { type: 'checkbox', name: 'scope', value: scope, defaultChecked: scope.endsWith(':read') }));
  const box = errorBox();
  const form = titledForm('h2', 'Register a client',
    field('Name', name, 'Who or what uses it, e.g. "Room display, floor 2".'),
    field('Kind', kind),
    redirectField,
    h('fieldset', { class: 'event-picker' }, h('legend', { text: 'Scopes' }),
      boxes.map((input) => h('label', { class: 'chip' }, input, ` ${input.value}`))),
    box,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary', text: 'Register client' })));
  onSubmit(form, box, async () => {
    const scopes = boxes.filter((b) => b.checked).map((b) => b.value);
    if (!scopes.length) throw new Error('Pick at least one scope.');
    const chosen = kind.value as Kind;
    const client = await oauth.create(session.api, clientBody(name.value.trim(), scopes, chosen, redirects.value));
    form.reset();
    showRedirects();
    created(client);
    if (client.client_secret) {
      const how = chosen === 'machine'
        ? 'Exchange both at POST /api/v1/oauth/token (grant_type=client_credentials).'
        : 'The app sends both with the authorization code to POST /api/v1/oauth/token.';
      showSecretOnce(`Client ${client.name} registered`, 'Client secret', client.client_secret, `Client id: ${client.client_id}. ${how}`);
    } else {
      toast(`Public app ${client.name} registered: client id ${client.client_id} (no secret; it proves itself with PKCE).`);
    }
  });
  return form;
}

function clientRow(session: Session, client: oauth.OAuthClient, changed: () => void): HTMLElement {
  const grants = client.grant_types ?? ['client_credentials'];
  const redirects = client.redirect_uris ?? [];
  return h('li', { class: 'row-item', dataset: { clientId: client.client_id } },
    h('div', { class: 'row-main' },
      h('strong', { text: client.name }), ' ',
      client.public ? badge('public', 'pending') : null,
      client.scopes.map((s) => badge(s, 'info')),
      h('div', { class: 'hint', text: `Grants: ${grants.join(', ')}` }),
      redirects.length ? h('div', { class: 'hint', text: `Redirect URIs: ${redirects.join(' ')}` }) : null,
      h('div', { class: 'hint', text: `Id ${client.client_id} · registered ${formatInstant(client.created_at)} by ${client.owner_id}` })),
    h('div', { class: 'actions' },
      h('button', {
        type: 'button', class: 'button', text: 'Roles…', 'aria-label': `Custom roles of client ${client.name}`,
        onclick: () => void openRoles(session, client),
      }),
      h('button', {
        type: 'button', class: 'button danger', text: 'Delete', 'aria-label': `Delete client ${client.name}`,
        onclick: () => confirmAction(`Delete client ${client.name}`, 'Its tokens stop working at once.', 'Delete', async () => {
          await oauth.remove(session.api, client.client_id);
          toast(`Client ${client.name} deleted.`);
          changed();
        }),
      })));
}

/** Give or take one custom role; the API answers with the client's roles and scopes now. */
async function openRoles(session: Session, client: oauth.OAuthClient): Promise<void> {
  const box = errorBox();
  const status = h('p', { class: 'hint', role: 'status', text: 'A custom role adds its scopes to the client\'s own.' });
  const choice = select('role', []);
  const act = (give: boolean) => async (): Promise<void> => {
    const role = choice.value;
    if (!role) return;
    const now = await guarded(box, () => (give ? oauth.giveRole : oauth.takeRole)(session.api, client.client_id, role));
    if (now) status.textContent = `Roles now: ${now.roles.join(', ') || 'none'}. Scopes: ${now.scopes.join(', ')}.`;
  };
  const dialog = openDialog(`Custom roles: ${client.name}`,
    h('div', { class: 'stack' }, field('Custom role', choice), status, box,
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'button primary', text: 'Give role', onclick: act(true) }),
        h('button', { type: 'button', class: 'button', text: 'Take role', onclick: act(false) }),
        h('button', { type: 'button', class: 'button', text: 'Close', onclick: () => dialog.close() }))));
  const found = await guarded(box, () => roles.list(session.api));
  const custom = (found ?? []).filter((role) => !role.builtin);
  for (const role of custom) choice.append(h('option', { value: role.name, text: `${role.name} (${role.scopes.join(', ')})` }));
  if (!custom.length) status.textContent = 'No custom roles yet: create one under Custom roles.';
}
