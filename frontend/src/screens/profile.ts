// Profile and preferences: email, notifications, reminder lead time, time zone; password change.
import * as auth from '../api/auth';
import { openDialog, toast } from '../components/dialog';
import { checkbox, field, h, titledForm } from '../components/dom';
import { errorBox, onSubmit } from '../components/errors';
import { confirmPasswordField, newPasswordField } from '../components/passwords';
import { timeZones } from '../lib/time';
import type { Session } from '../state';
import { feedSection } from './calendar-feeds';

export function openProfile(session: Session): void {
  const dialog = openDialog('Profile and preferences', preferencesForm(session, () => dialog.close()), feedSection(session), passwordForm(session, () => dialog.close()));
  dialog.querySelector('input')?.focus();
}

function preferencesForm(session: Session, done: () => void): HTMLFormElement {
  const me = session.me;
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', maxlength: '254', value: me.email ?? '' });
  const notify = h('input', { type: 'checkbox', name: 'email_notifications', checked: Boolean(me.email_notifications) });
  const reminder = h('input', { type: 'number', name: 'reminder_hours', min: '0', max: '168', step: '1', required: true, value: String(me.reminder_hours ?? 24) });
  const zone = h('select', { name: 'timezone' },
    timeZones(me.timezone).map((name) => h('option', { value: name, selected: name === (me.timezone || 'UTC'), text: name })));
  const box = errorBox();
  const form = titledForm('h3', 'Preferences',
    h('p', { class: 'hint', text: `Signed in as ${me.username} (${me.roles.join(', ') || 'no role'}).` }),
    field('Email', email, 'Leave empty to receive no email.'),
    checkbox('Email me about my reservations', notify),
    field('Reminder before a reservation (hours, 0 = none)', reminder),
    field('Time zone for emails and reminders', zone),
    box,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button primary', text: 'Save preferences' }),
      h('button', { type: 'button', class: 'button', text: 'Close', onclick: done })));
  onSubmit(form, box, async () => {
    session.me = await auth.updateMe(session.api, {
      email: email.value.trim() || null,
      email_notifications: notify.checked,
      reminder_hours: Number(reminder.value),
      timezone: zone.value,
    });
    toast('Preferences saved.');
  });
  return form;
}

function passwordForm(session: Session, close: () => void): HTMLFormElement {
  const current = h('input', { type: 'password', name: 'current_password', required: true, autocomplete: 'current-password' });
  const next = newPasswordField('New password', 'new_password');
  const confirm = confirmPasswordField(next.input, 'Repeat the new password');
  const box = errorBox();
  const form = titledForm('h3', 'Change password',
    h('p', { class: 'hint', text: 'Changing it signs you out everywhere, including here.' }),
    field('Current password', current),
    next.element,
    confirm.element,
    box,
    h('button', { type: 'submit', class: 'button', text: 'Change password' }));
  onSubmit(form, box, async () => {
    await auth.changePassword(session.api, { current_password: current.value, new_password: next.input.value });
    close();
    session.api.clearTokens();
    session.nav.toAuth('Password changed. Sign in with the new password.');
  });
  return form;
}
