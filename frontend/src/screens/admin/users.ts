// Admin: users (search by username prefix, cursor pages), roles, enable/disable, password reset.
import * as users from '../../api/users';
import { badge } from '../../components/badge';
import { openDialog, toast } from '../../components/dialog';
import { field, h } from '../../components/dom';
import { errorBox, guarded, onSubmit } from '../../components/errors';
import { debounced, pagedList } from '../../components/paged-list';
import { newPasswordField } from '../../components/passwords';
import { formatInstant } from '../../lib/time';
import type { Session } from '../../state';

type Role = { name: string; description: string };
const FALLBACK_ROLES: Role[] = [
  { name: 'admin', description: 'Manages resources, rules and users' },
  { name: 'user', description: 'Books resources' },
  { name: 'guest', description: 'Read-only' },
];

export function render(session: Session): HTMLElement {
  const search = h('input', { type: 'search', name: 'q', autocomplete: 'off', maxlength: '32' });
  let roles = FALLBACK_ROLES;
  const rolesReady = users.roles(session.api).then((answer) => { roles = answer; }).catch(() => undefined);
  const listing = pagedList<users.AdminUser>({
    label: 'Users',
    emptyText: 'No users match.',
    listClass: 'rows',
    fetchPage: async (cursor, limit) => {
      await rolesReady;
      return users.list(session.api, { limit, cursor, q: search.value.trim().toLowerCase() || undefined });
    },
    renderItem: (user) => userRow(session, user, roles),
  });
  debounced([search], listing, () => void listing.reload());
  return h('div', { class: 'admin-users' },
    h('div', { class: 'toolbar' }, field('Username starts with', search)),
    listing.element);
}

/** One user; actions answer with the updated user, which replaces the row in place. */
function userRow(session: Session, user: users.AdminUser, roles: Role[]): HTMLElement {
  const box = errorBox();
  const replace = (updated: users.AdminUser): void => {
    const current = row.isConnected ? row : document.querySelector(`li.row-item[data-user-id="${CSS.escape(user.id)}"]`);
    current?.replaceWith(userRow(session, updated, roles));
  };
  const isSelf = user.id === session.me.id;
  const roleBoxes = roles.map((role) => {
    const input = h('input', {
      type: 'checkbox', checked: user.roles.includes(role.name as users.RoleName) || user.custom_roles.includes(role.name), 'aria-label': `${role.name} role for ${user.username}`,
      disabled: isSelf && role.name === 'admin',
    });
    input.addEventListener('change', () => void guarded(box, async () => {
      try {
        const updated = input.checked
          ? await users.assignRole(session.api, user.id, role.name)
          : await users.removeRole(session.api, user.id, role.name);
        toast(`${user.username}: role ${role.name} ${input.checked ? 'added' : 'removed'}.`);
        replace(updated);
      } catch (error) {
        input.checked = !input.checked;
        throw error;
      }
    }));
    return h('label', { class: 'chip', title: role.description }, input, ` ${role.name}`);
  });
  const toggle = h('button', {
    type: 'button', class: user.disabled ? 'button' : 'button danger', disabled: isSelf,
    text: user.disabled ? 'Enable' : 'Disable', 'aria-label': `${user.disabled ? 'Enable' : 'Disable'} ${user.username}`,
    onclick: () => guarded(box, async () => {
      const updated = await users.setDisabled(session.api, user.id, !user.disabled);
      toast(`${user.username} ${user.disabled ? 'enabled' : 'disabled'}.`);
      replace(updated);
    }),
  });
  const reset = h('button', {
    type: 'button', class: 'button', text: 'Reset password', 'aria-label': `Reset password: ${user.username}`,
    onclick: () => openReset(session, user),
  });
  const row = h('li', { class: 'row-item', dataset: { userId: user.id } },
    h('div', { class: 'row-main' },
      h('strong', { text: user.username }), ' ',
      user.disabled ? badge('disabled', 'disabled') : null,
      user.mfa_enabled ? badge('MFA', 'info') : null,
      h('div', { class: 'hint', text: [user.email, user.created_at && `since ${formatInstant(user.created_at)}`].filter(Boolean).join(' · ') })),
    h('fieldset', { class: 'roles-edit' }, h('legend', { class: 'visually-hidden', text: `Roles of ${user.username}` }), roleBoxes),
    h('div', { class: 'actions' }, reset, toggle),
    box);
  return row;
}

function openReset(session: Session, user: users.AdminUser): void {
  const password = newPasswordField('New password', 'new_password');
  const box = errorBox();
  const form = h('form', { class: 'stack', 'aria-label': `Reset the password of ${user.username}` },
    h('p', { class: 'hint', text: 'The user is signed out everywhere and must use the new password.' }),
    password.element,
    box,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button primary', text: 'Set password' }),
      h('button', { type: 'button', class: 'button', text: 'Cancel', onclick: () => dialog.close() })));
  onSubmit(form, box, async () => {
    await users.resetPassword(session.api, user.id, password.input.value);
    dialog.close();
    toast(`Password of ${user.username} reset.`);
  });
  const dialog = openDialog(`Reset password: ${user.username}`, form);
  password.input.focus();
}
