// Sign in / Register, with the MFA step: when the server answers 401 `mfa_required`, the same
// credentials are sent again together with the 6-digit code (or a one-time backup code).
import * as auth from '../api/auth';
import { ApiError } from '../api/client';
import { toast } from '../components/dialog';
import { field, h, titledForm } from '../components/dom';
import { clearError, errorBox, onSubmit, showError } from '../components/errors';
import { confirmPasswordField, newPasswordField, USERNAME_HINT, usernameInput } from '../components/passwords';
import { tabs } from '../components/tabs';
import type { AppContext } from '../state';

export function renderAuth(ctx: AppContext, notice?: string): void {
  ctx.header.hidden = true;
  const set = tabs(
    [
      { id: 'signin', label: 'Sign in', render: () => signInPanel(ctx) },
      { id: 'register', label: 'Register', render: () => registerPanel(ctx) },
    ],
    { label: 'Sign in or register' },
  );
  const card = h('section', { class: 'card narrow auth' },
    h('h1', { text: 'Resource Reserver' }),
    notice ? h('p', { class: 'notice', role: 'status', text: notice }) : null,
    set.element);
  ctx.show('Sign in', card);
  card.querySelector<HTMLInputElement>('input[name="username"]')?.focus();
}

function signInPanel(ctx: AppContext): HTMLElement {
  const container = h('div');
  const box = errorBox();
  const username = usernameInput();
  username.removeAttribute('minlength');
  username.removeAttribute('pattern');
  const password = h('input', { type: 'password', name: 'password', required: true, autocomplete: 'current-password' });
  const form = h('form', { class: 'stack', 'aria-label': 'Sign in' },
    field('Username', username),
    field('Password', password),
    box,
    h('button', { type: 'submit', class: 'button primary', text: 'Sign in' }));
  onSubmit(form, box, async () => {
    try {
      await ctx.api.signIn(username.value.trim(), password.value);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'mfa_required') {
        container.replaceChildren(mfaStep(ctx, username.value.trim(), password.value, () => {
          container.replaceChildren(form);
          password.value = '';
          password.focus();
        }));
        return;
      }
      throw error;
    }
    await ctx.nav.toDashboard();
  });
  container.append(form);
  return container;
}

function mfaStep(ctx: AppContext, username: string, password: string, back: () => void): HTMLFormElement {
  const box = errorBox();
  const code = h('input', { name: 'otp', required: true, autocomplete: 'one-time-code', maxlength: '32', spellcheck: 'false', autocapitalize: 'none' });
  const form = titledForm('h2', 'Two-step verification',
    h('p', { text: 'Your account is protected by an authenticator app. Enter the 6-digit code it shows, or one of your backup codes.' }),
    field('Verification code', code, 'Each backup code works only once.'),
    box,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button primary', text: 'Verify and sign in' }),
      h('button', { type: 'button', class: 'button', text: 'Back', onclick: back })));
  onSubmit(form, box, async () => {
    try {
      await ctx.api.signIn(username, password, code.value.replace(/\s+/g, ''));
    } catch (error) {
      code.select();
      throw error;
    }
    await ctx.nav.toDashboard();
  });
  queueMicrotask(() => code.focus());
  return form;
}

function registerPanel(ctx: AppContext): HTMLFormElement {
  const box = errorBox();
  const username = usernameInput();
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', maxlength: '254' });
  const password = newPasswordField('Password', 'password', username);
  const confirm = confirmPasswordField(password.input);
  const form = h('form', { class: 'stack', 'aria-label': 'Register' },
    field('Username', username, USERNAME_HINT),
    field('Email (optional)', email, 'For booking confirmations and reminders; you can add it later.'),
    password.element,
    confirm.element,
    box,
    h('button', { type: 'submit', class: 'button primary', text: 'Create account' }));
  onSubmit(form, box, async () => {
    clearError(box);
    const body = { username: username.value.trim(), password: password.input.value, email: email.value.trim() || undefined };
    await auth.register(ctx.api, body);
    try {
      await ctx.api.signIn(body.username, body.password);
    } catch (error) {
      showError(box, error);
      return;
    }
    toast('Account created. Welcome!');
    await ctx.nav.toDashboard();
  });
  return form;
}
