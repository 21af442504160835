// First run: no administrator exists yet, so the first account is created here.
import { errorBox, field, h, onSubmit, toast } from '../dom.js';
import { confirmPasswordField, newPasswordField, USERNAME_HINT, usernameInput } from '../passwords.js';

export function renderSetup(ctx) {
  const box = errorBox();
  const username = usernameInput();
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', maxlength: '254' });
  const password = newPasswordField('Password', 'password', username);
  const confirm = confirmPasswordField(password.input);
  const form = h(
    'form',
    { class: 'card narrow', 'aria-labelledby': 'setup-title' },
    h('h1', { id: 'setup-title', text: 'Set up Resource Reserver' }),
    h('p', { text: 'No administrator exists yet. Create the first administrator account: it can then add resources and manage users.' }),
    field('Administrator username', username, USERNAME_HINT),
    field('Email (optional)', email, 'Used for booking confirmations and reminders.'),
    password.element,
    confirm.element,
    box,
    h('button', { type: 'submit', class: 'button primary', text: 'Create administrator' }),
  );
  onSubmit(form, box, async () => {
    const body = { username: username.value.trim(), password: password.input.value };
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
    await ctx.api.signIn(body.username, body.password);
    toast('Administrator created. Welcome!');
    await ctx.toDashboard();
  });
  ctx.header.hidden = true;
  ctx.show('Setup', form);
  username.focus();
}
