// First run: no administrator exists yet, so the first account is created here, by whoever
// holds the one-time setup token (printed by `make run` or the deployment's first-run step).
import * as auth from '../api/auth';
import { ApiError } from '../api/client';
import { toast } from '../components/dialog';
import { field, h } from '../components/dom';
import { errorBox, onSubmit } from '../components/errors';
import { confirmPasswordField, newPasswordField, USERNAME_HINT, usernameInput } from '../components/passwords';
import type { AppContext } from '../state';

export function renderSetup(ctx: AppContext): void {
  const box = errorBox();
  const token = h('input', { type: 'password', name: 'setup_token', autocomplete: 'off', spellcheck: 'false', required: true, maxlength: '128' });
  const username = usernameInput();
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', maxlength: '254' });
  const password = newPasswordField('Password', 'password', username);
  const confirm = confirmPasswordField(password.input);
  const form = h(
    'form',
    { class: 'card narrow', 'aria-labelledby': 'setup-title' },
    h('h1', { id: 'setup-title', text: 'Set up Resource Reserver' }),
    h('p', { text: 'No administrator exists yet. Create the first administrator account: it can then add resources and manage users.' }),
    field('Setup token', token, "The one-time token printed by `make run` (or by the deployment's first-run step, python -m infra.setup_token). It works once."),
    field('Administrator username', username, USERNAME_HINT),
    field('Email (optional)', email, 'Used for booking confirmations and reminders.'),
    password.element,
    confirm.element,
    box,
    h('button', { type: 'submit', class: 'button primary', text: 'Create administrator' }),
  );
  onSubmit(form, box, async () => {
    const body = { setup_token: token.value.trim(), username: username.value.trim(), password: password.input.value, email: email.value.trim() || undefined };
    try {
      await auth.initialize(ctx.api, body);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'setup_complete') {
        ctx.nav.toAuth('Setup was already completed by someone else. Sign in instead.');
        return;
      }
      throw error;
    }
    token.value = '';
    await ctx.api.signIn(body.username, body.password);
    toast('Administrator created. Welcome!');
    await ctx.nav.toDashboard();
  });
  ctx.header.hidden = true;
  ctx.show('Setup', form);
  token.focus();
}
