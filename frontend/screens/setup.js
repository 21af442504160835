// First run: no administrator exists yet, so the first account is created here, by whoever
// holds the one-time setup token (printed by `make run` or the deployment's first-run step).
import { errorBox, field, h, onSubmit, toast } from '../dom.js';
import { confirmPasswordField, newPasswordField, USERNAME_HINT, usernameInput } from '../passwords.js';

export function renderSetup(ctx) {
  const box = errorBox();
  const token = h('input', {
    type: 'password', name: 'setup_token', autocomplete: 'off', spellcheck: 'false',
    required: '', maxlength: '128',
  });
  const username = usernameInput();
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', maxlength: '254' });
  const password = newPasswordField('Password', 'password', username);
  const confirm = confirmPasswordField(password.input);
  const form = h(
    'form',
    { class: 'card narrow', 'aria-labelledby': 'setup-title' },
    h('h1', { id: 'setup-title', text: 'Set up Resource Reserver' }),
    h('p', { text: 'No administrator exists yet. Create the first administrator account: it can then add resources and manage users.' }),
    field('Setup token', token, 'The one-time token printed by `make run` (or by the deployment\'s first-run step, python -m infra.setup_token). It works once.'),
    field('Administrator username', username, USERNAME_HINT),
    field('Email (optional)', email, 'Used for booking confirmations and reminders.'),
    password.element,
    confirm.element,
    box,
    h('button', { type: 'submit', class: 'button primary', text: 'Create administrator' }),
  );
  onSubmit(form, box, async () => {
    const body = {
      setup_token: token.value.trim(), username: username.value.trim(), password: password.input.value,
    };
    if (email.value.trim()) body.email = email.value.trim();
    try {
      await ctx.api.post('/api/v1/setup/initialize', body, { auth: false });
    } catch (error) {
      if (error.code === 'setup_complete') {
        ctx.toAuth('Setup was already completed by someone else. Sign in instead.');
        return;
      }
      throw error;
    }
    token.value = '';
    await ctx.api.signIn(body.username, body.password);
    toast('Administrator created. Welcome!');
    await ctx.toDashboard();
  });
  ctx.header.hidden = true;
  ctx.show('Setup', form);
  token.focus();
}
