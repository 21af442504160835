// Admin: users (search by username prefix, cursor pages), roles, enable/disable, password reset.
import { badge, errorBox, field, guarded, h, onSubmit, openDialog, toast } from '../dom.js';
import { pagedList } from '../paging.js';
import { newPasswordField } from '../passwords.js';
import { formatInstant } from '../time.js';

const FALLBACK_ROLES = [
  { name: 'admin', description: 'Manages resources, rules and users' },
  { name: 'user', description: 'Books resources' },
  { name: 'guest', description: 'Read-only' },
];

export function renderUsers(ctx) {
  const search = h('input', { type: 'search', name: 'q', autocomplete: 'off', maxlength: '32' });
  let roles = FALLBACK_ROLES;
  const rolesReady = ctx.api.get('/api/v1/roles')
    .then((response) => { roles = Array.isArray(response) ? response : response.items ?? FALLBACK_ROLES; })
    .catch(() => {});
  const listing = pagedList({
    label: 'Users',
    emptyText: 'No users match.',
    listClass: 'rows',
    fetchPage: async (cursor, limit) => {
      await rolesReady;
      return ctx.api.get('/api/v1/auth/admin/users', { limit, cursor, q: search.value.trim().toLowerCase() || undefined });
    },
    renderItem: (user) => userRow(ctx, user, roles),
  });
  let timer = null;
  search.addEventListener('input', () => {
    listing.pending();
    clearTimeout(timer);
    timer = setTimeout(() => listing.reload(), 300);
  });
  return h('div', { class: 'admin-users' },
    h('div', { class: 'toolbar' }, field('Username starts with', search)),
    listing.element);
}

/** One user; actions answer with the updated user, which replaces the row in place. */
function userRow(ctx, user, roles) {
  const box = errorBox();
  const replace = (updated) => {
    if (!updated?.id) return;
    const current = row.isConnected ? row : document.querySelector(`li.row-item[data-user-id="${CSS.escape(user.id)}"]`);
    current?.replaceWith(userRow(ctx, updated, roles));
  };
  const isSelf = user.id === ctx.me.id;
  const roleBoxes = roles.map((role) => {
    const name = role.name ?? role;
    const input = h('input', {
      type: 'checkbox', checked: (user.roles || []).includes(name), 'aria-label': `${name} role for ${user.username}`,
      disabled: isSelf && name === 'admin',
    });
    input.addEventListener('change', () => guarded(box, async () => {
      const body = { user_id: user.id, role: name };
      try {
        const updated = input.checked
          ? await ctx.api.post('/api/v1/roles/assign', body)
          : await ctx.api.delete('/api/v1/roles/assign', undefined, { body });
        toast(`${user.username}: role ${name} ${input.checked ? 'added' : 'removed'}.`);
        replace(updated);
      } catch (error) {
        input.checked = !input.checked;
        throw error;
      }
    }));
    return h('label', { class: 'chip', title: role.description ?? '' }, input, ` ${name}`);
  });
  const toggle = h('button', {
    type: 'button', class: user.disabled ? 'button' : 'button danger', disabled: isSelf,
    text: user.disabled ? 'Enable' : 'Disable', 'aria-label': `${user.disabled ? 'Enable' : 'Disable'} ${user.username}`,
    onclick: () => guarded(box, async () => {
      const updated = await ctx.api.post(`/api/v1/admin/users/${encodeURIComponent(user.id)}/${user.disabled ? 'enable' : 'disable'}`, {});
      toast(`${user.username} ${user.disabled ? 'enabled' : 'disabled'}.`);
      replace(updated);
    }),
  });
  const reset = h('button', {
    type: 'button', class: 'button', text: 'Reset password', 'aria-label': `Reset the password of ${user.username}`,
    onclick: () => openReset(ctx, user),
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

function openReset(ctx, user) {
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
    await ctx.api.post('/api/v1/auth/admin/reset-password', { user_id: user.id, new_password: password.input.value });
    dialog.close();
    toast(`Password of ${user.username} reset.`);
  });
  const dialog = openDialog(`Reset password: ${user.username}`, form);
  password.input.focus();
}
