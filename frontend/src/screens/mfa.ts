// Two-step verification: set up (QR code + secret + backup codes), verify to turn it on,
// turn it off (password + code), regenerate backup codes.
import * as auth from '../api/auth';
import type { Schemas } from '../api/client';
import { openDialog, toast } from '../components/dialog';
import { field, h, titledForm } from '../components/dom';
import { errorBox, onSubmit } from '../components/errors';
import type { Session } from '../state';

export function openMfa(session: Session): HTMLDialogElement {
  const body = h('div', { class: 'stack mfa' });
  const dialog = openDialog('Two-step verification', body);
  const render = (): void => {
    body.replaceChildren(session.me.mfa_enabled ? enabledView(session, render) : disabledView(session, render));
    body.querySelector<HTMLElement>('button, input')?.focus();
  };
  render();
  return dialog;
}

async function refreshMe(session: Session): Promise<void> {
  session.me = await auth.me(session.api);
}

function codeInput(name = 'code'): HTMLInputElement {
  return h('input', { name, required: true, inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: '6', spellcheck: 'false' });
}

function disabledView(session: Session, rerender: () => void): HTMLElement {
  const box = errorBox();
  const start = h('form', { class: 'stack' },
    h('p', { text: 'Two-step verification is OFF. Turn it on to require a code from an authenticator app (or a backup code) each time you sign in.' }),
    box,
    h('button', { type: 'submit', class: 'button primary', text: 'Set up two-step verification' }));
  const container = h('div', {}, start);
  onSubmit(start, box, async () => {
    const setup = await auth.mfaSetup(session.api);
    container.replaceChildren(verifyStep(session, setup, rerender));
    container.querySelector('input')?.focus();
  });
  return container;
}

/** Only a PNG data URI from our API is used as the image source. */
function qrImage(uri: unknown): HTMLImageElement | null {
  if (typeof uri !== 'string' || !uri.startsWith('data:image/png;base64,')) return null;
  return h('img', { class: 'qr', src: uri, width: '200', height: '200', alt: 'QR code to scan with your authenticator app' });
}

export function backupCodesList(codes: readonly string[]): HTMLElement {
  return h('div', { class: 'backup-codes' },
    h('p', {}, h('strong', { text: 'Backup codes' }), ' – each works once if you lose your phone. Save them now: they are not shown again.'),
    h('ul', { class: 'codes', 'data-testid': 'backup-codes' }, codes.map((code) => h('li', {}, h('code', { text: code })))));
}

function verifyStep(session: Session, setup: Schemas['MfaSetupOut'], rerender: () => void): HTMLFormElement {
  const code = codeInput();
  const box = errorBox();
  const form = h('form', { class: 'stack', 'aria-label': 'Verify authenticator' },
    h('ol', { class: 'steps' },
      h('li', { text: 'Scan this QR code with your authenticator app, or type the secret key.' }),
      h('li', { text: 'Enter the 6-digit code the app shows to finish.' })),
    qrImage(setup.qr_png_data_uri),
    h('p', {}, 'Secret key: ', h('code', { class: 'secret', 'data-testid': 'mfa-secret', text: setup.secret })),
    backupCodesList(setup.backup_codes),
    field('Code from the app', code),
    box,
    h('button', { type: 'submit', class: 'button primary', text: 'Verify and turn on' }));
  onSubmit(form, box, async () => {
    await auth.mfaVerify(session.api, code.value.trim());
    await refreshMe(session);
    toast('Two-step verification is on.');
    rerender();
  });
  return form;
}

function enabledView(session: Session, rerender: () => void): HTMLElement {
  const password = h('input', { type: 'password', name: 'password', required: true, autocomplete: 'current-password' });
  const disableCode = codeInput();
  const disableBox = errorBox();
  const disable = titledForm('h3', 'Turn off',
    field('Password', password),
    field('Code from the app', disableCode),
    disableBox,
    h('button', { type: 'submit', class: 'button danger', text: 'Turn off two-step verification' }));
  onSubmit(disable, disableBox, async () => {
    await auth.mfaDisable(session.api, password.value, disableCode.value.trim());
    await refreshMe(session);
    toast('Two-step verification is off.');
    rerender();
  });

  const regenCode = codeInput();
  const regenBox = errorBox();
  const codesArea = h('div');
  const regen = titledForm('h3', 'New backup codes',
    h('p', { class: 'hint', text: 'Replaces all your backup codes with 10 new ones.' }),
    field('Code from the app', regenCode),
    regenBox,
    h('button', { type: 'submit', class: 'button', text: 'Generate new backup codes' }),
    codesArea);
  onSubmit(regen, regenBox, async () => {
    const result = await auth.mfaBackupCodes(session.api, regenCode.value.trim());
    codesArea.replaceChildren(backupCodesList(result.backup_codes));
    regenCode.value = '';
  });

  return h('div', { class: 'stack' },
    h('p', { class: 'notice', text: 'Two-step verification is ON: signing in needs a code from your authenticator app.' }),
    regen, disable);
}
