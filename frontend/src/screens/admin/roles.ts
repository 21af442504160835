// Admin: roles (roles14). The built-in roles are shown with their scopes, read-only; custom
// roles (named sets of scopes) are created, edited (scopes as checkboxes; the version read is
// sent back, so a stale edit is refused in words) and deleted (refused while held).
// Assigning roles to users is on the "Users and roles" tab; to clients via `rr admin roles`.
import { ApiError } from '../../api/client';
import * as roles from '../../api/roles';
import { badge } from '../../components/badge';
import { confirmAction } from '../../components/confirm';
import { openDialog, toast } from '../../components/dialog';
import { clear, field, h, titledForm } from '../../components/dom';
import { errorBox, guarded, onSubmit } from '../../components/errors';
import type { Session } from '../../state';

export function render(session: Session): HTMLElement {
  const list = h('ul', { class: 'rows', 'aria-label': 'Roles' });
  const box = errorBox();
  const root = h('div', { class: 'admin-roles stack' }, box, list);
  const reload = (): Promise<void> => guarded(box, async () => {
    const [all, catalogue] = await Promise.all([roles.list(session.api), roles.scopes(session.api)]);
    clear(list);
    for (const role of all) list.append(roleRow(session, role, catalogue, () => void reload()));
    root.querySelector('form.role-create')?.remove();
    root.prepend(createForm(session, catalogue, () => void reload()));
  });
  void reload();
  return root;
}

function scopeBoxes(catalogue: roles.ScopeOut[], chosen: readonly string[]): HTMLInputElement[] {
  return catalogue.map((scope) => h('input', {
    type: 'checkbox', name: 'scope', value: scope.name, checked: chosen.includes(scope.name),
    disabled: !scope.grantable, title: scope.description,
  }));
}

function scopeFieldset(boxes: HTMLInputElement[], catalogue: roles.ScopeOut[]): HTMLFieldSetElement {
  return h('fieldset', { class: 'event-picker' }, h('legend', { text: 'Scopes' }),
    boxes.map((input, i) => h('label', { class: 'chip', title: catalogue[i]?.description ?? '' }, input, ` ${input.value}`)),
    h('p', { class: 'hint', text: 'admin is granted only by the built-in admin role.' }));
}

const checked = (boxes: HTMLInputElement[]): string[] => boxes.filter((b) => b.checked).map((b) => b.value);

function createForm(session: Session, catalogue: roles.ScopeOut[], changed: () => void): HTMLFormElement {
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: '32', pattern: '[a-z][a-z0-9\\-]{1,31}' });
  const description = h('input', { type: 'text', name: 'description', maxlength: '200' });
  const boxes = scopeBoxes(catalogue, []);
  const box = errorBox();
  const form = titledForm('h2', 'Create a role',
    field('Name', name, 'Lowercase letters, digits and "-", e.g. "catalog-editors".'),
    field('Description', description),
    scopeFieldset(boxes, catalogue),
    box,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary', text: 'Create role' })));
  form.classList.add('role-create');
  onSubmit(form, box, async () => {
    if (!checked(boxes).length) throw new Error('Pick at least one scope.');
    const role = await roles.create(session.api, name.value.trim(), description.value.trim(), checked(boxes));
    toast(`Role ${role.name} created.`);
    changed();
  });
  return form;
}

function roleRow(session: Session, role: roles.RoleOut, catalogue: roles.ScopeOut[], changed: () => void): HTMLElement {
  const actions = role.builtin ? [badge('built-in', 'info')] : [
    h('button', { type: 'button', class: 'button', text: 'Edit', 'aria-label': `Edit role ${role.name}`, onclick: () => openEdit(session, role, catalogue, changed) }),
    h('button', {
      type: 'button', class: 'button danger', text: 'Delete', 'aria-label': `Delete role ${role.name}`,
      onclick: () => confirmAction(`Delete role ${role.name}`, 'Refused while a user or client holds it.', 'Delete', async () => {
        await roles.remove(session.api, role.name, role.version ?? null);
        toast(`Role ${role.name} deleted.`);
        changed();
      }),
    }),
  ];
  const held = role.builtin ? '' : ` · held by ${role.holders ?? 0} · version ${role.version ?? 1}`;
  return h('li', { class: 'row-item', dataset: { role: role.name } },
    h('div', { class: 'row-main' },
      h('strong', { text: role.name }), ' ',
      role.scopes.map((s) => badge(s, 'info')),
      h('div', { class: 'hint', text: `${role.description}${held}` })),
    h('div', { class: 'actions' }, actions));
}

function openEdit(session: Session, role: roles.RoleOut, catalogue: roles.ScopeOut[], changed: () => void): void {
  const description = h('input', { type: 'text', name: 'description', maxlength: '200', value: role.description });
  const boxes = scopeBoxes(catalogue, role.scopes);
  const box = errorBox();
  const form = h('form', { class: 'stack', 'aria-label': `Edit role ${role.name}` },
    field('Description', description),
    scopeFieldset(boxes, catalogue),
    h('p', { class: 'hint', text: 'Holders get the new scopes on their next request.' }),
    box,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button primary', text: 'Save' }),
      h('button', { type: 'button', class: 'button', text: 'Cancel', onclick: () => dialog.close() })));
  onSubmit(form, box, async () => {
    if (!checked(boxes).length) throw new Error('Pick at least one scope.');
    try {
      await roles.replace(session.api, role.name, description.value.trim(), checked(boxes), role.version ?? null);
    } catch (error) {
      // Someone else saved first: show the list as it is now, and say why nothing was saved.
      if (error instanceof ApiError && error.code === 'version_conflict') changed();
      throw error;
    }
    dialog.close();
    toast(`Role ${role.name} saved.`);
    changed();
  });
  const dialog = openDialog(`Edit role ${role.name}`, form);
  description.focus();
}
