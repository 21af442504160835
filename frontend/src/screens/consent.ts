// OAuth2 consent (issue 14): a third-party app sent the user here through
// GET /api/v1/oauth/authorize. The signed-in user sees the app's name and what it asks to do,
// and approves or denies; either way the browser goes back to the app's registered redirect URI
// (with a one-time code, or error=access_denied).
import * as oauth from '../api/oauth';
import { h } from '../components/dom';
import { errorBox, guarded, showError } from '../components/errors';
import type { AppContext } from '../state';

/** The consent route: `#/oauth/consent?<the authorization request's parameters>`. */
export const CONSENT_PREFIX = '#/oauth/consent';

/** What each scope lets an app do, in words. */
const SCOPE_TEXT: Record<string, string> = {
  'resources:read': 'See resources and their availability',
  'resources:write': 'Create and change resources',
  'reservations:read': 'See your reservations',
  'reservations:write': 'Book, change and cancel reservations for you',
  admin: 'Act as an administrator',
};

export function requestFromHash(hash: string): oauth.AuthorizeQuery {
  const query = new URLSearchParams(hash.slice(CONSENT_PREFIX.length).replace(/^\?/, ''));
  const request: Record<string, string> = {};
  for (const key of ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method']) {
    const value = query.get(key);
    if (value !== null) request[key] = value;
  }
  return request;
}

export async function renderConsent(ctx: AppContext): Promise<void> {
  const request = requestFromHash(location.hash);
  const box = errorBox();
  const card = h('section', { class: 'card narrow consent', 'aria-labelledby': 'consent-title' },
    h('h1', { id: 'consent-title', text: 'Allow access?' }), box);
  ctx.show('Allow access', card);
  let asked: oauth.ConsentRequest;
  try {
    asked = await oauth.consentRequest(ctx.api, request);
  } catch (error) {
    showError(box, error);
    card.append(h('p', { class: 'hint', text: 'This request cannot be answered. Close this page and start again from the app.' }));
    return;
  }
  const answer = (approve: boolean) => async (): Promise<void> => {
    buttons.forEach((b) => { b.disabled = true; });
    const decided = await guarded(box, () => oauth.decide(ctx.api, request, approve));
    if (decided) {
      location.assign(decided.redirect_to);
      return;
    }
    buttons.forEach((b) => { b.disabled = false; });
  };
  const buttons = [
    h('button', { type: 'button', class: 'button primary', text: 'Allow', onclick: answer(true) }),
    h('button', { type: 'button', class: 'button', text: 'Deny', onclick: answer(false) }),
  ];
  card.append(
    h('p', {}, h('strong', { class: 'consent-client', text: asked.client_name }), ' wants to:'),
    h('ul', { class: 'consent-scopes' }, asked.scopes.map((scope) =>
      h('li', { dataset: { scope } }, SCOPE_TEXT[scope] ?? scope, ' ', h('code', { text: scope })))),
    h('p', { class: 'hint', text: `It never gets more than your own account may do. You will be sent back to ${new URL(asked.redirect_uri).host}.` }),
    h('div', { class: 'actions' }, buttons),
  );
  buttons[0]?.focus();
}
