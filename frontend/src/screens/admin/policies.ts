// Admin: a resource's approval chain (ordered steps, each decided by any one of its users or
// role holders; expiry and reminder hours) and its check-in policy (required, window, strikes).
// Opened from the resource's row (admin/resources.ts). Issue 10.
import * as approvals from '../../api/approvals';
import * as checkin from '../../api/checkin';
import type * as resources from '../../api/resources';
import * as users from '../../api/users';
import { openDialog, toast } from '../../components/dialog';
import { checkbox, field, h, whileLoading } from '../../components/dom';
import { errorBox, onSubmit, showError } from '../../components/errors';
import type { Session } from '../../state';

type Resource = Pick<resources.Resource, 'resource_id' | 'name'>;
const MAX_STEPS = 5;
const ROLES = ['admin', 'user', 'guest'] as const;
type Role = (typeof ROLES)[number];

interface StepRow { element: HTMLElement; names: HTMLInputElement; roles: Map<Role, HTMLInputElement> }

/** Usernames <-> ids: what the first page of users gives, then exact-name searches. */
class Directory {
  private readonly byId = new Map<string, string>();
  private readonly byName = new Map<string, string>();

  constructor(private readonly session: Session) {}

  async load(): Promise<void> {
    const page = await users.list(this.session.api, { limit: 100 });
    page.items.forEach((u) => this.remember(u.id, u.username));
  }

  nameOf(id: string): string {
    return this.byId.get(id) ?? id;
  }

  async idOf(token: string): Promise<string> {
    if (this.byId.has(token)) return token;
    const known = this.byName.get(token.toLowerCase());
    if (known) return known;
    const page = await users.list(this.session.api, { limit: 10, q: token });
    const found = page.items.find((u) => u.username.toLowerCase() === token.toLowerCase());
    if (!found) throw new Error(`No user is named “${token}”.`);
    this.remember(found.id, found.username);
    return found.id;
  }

  private remember(id: string, username: string): void {
    this.byId.set(id, username);
    this.byName.set(username.toLowerCase(), id);
  }
}

export async function openApprovalChain(session: Session, resource: Resource): Promise<void> {
  const box = errorBox();
  const directory = new Directory(session);
  const requires = h('input', { type: 'checkbox', name: 'requires_approval' });
  const expiry = h('input', { type: 'number', name: 'expiry_hours', min: '0', max: '2160', required: true });
  const remind = h('input', { type: 'number', name: 'remind_after_hours', min: '0', max: '2160', required: true });
  const stepsList = h('ol', { class: 'chain-steps', 'aria-label': 'Approval steps, in order' });
  const rows: StepRow[] = [];
  const add = h('button', { type: 'button', class: 'button', text: 'Add a step' });

  function renumber(): void {
    rows.forEach((row, index) => {
      row.names.labels?.forEach((label) => { label.textContent = `Step ${index + 1}: users (usernames, comma-separated)`; });
    });
    add.disabled = rows.length >= MAX_STEPS;
  }

  function addStep(names: string[] = [], roles: string[] = []): void {
    const input = h('input', { type: 'text', name: 'step_users', value: names.join(', '), autocomplete: 'off' });
    const roleBoxes = new Map(ROLES.map((role) => [role, h('input', { type: 'checkbox', name: `role_${role}`, checked: roles.includes(role) })] as const));
    const row: StepRow = { element: h('li', { class: 'chain-step' }), names: input, roles: roleBoxes };
    row.element.append(
      field('Step users', input),
      h('fieldset', { class: 'roles' }, h('legend', { text: 'or anyone with the role' }),
        [...roleBoxes.entries()].map(([role, boxInput]) => checkbox(role, boxInput))),
      h('button', {
        type: 'button', class: 'button danger', text: 'Remove step',
        onclick: () => { rows.splice(rows.indexOf(row), 1); row.element.remove(); renumber(); },
      }));
    rows.push(row);
    stepsList.append(row.element);
    renumber();
  }

  add.addEventListener('click', () => addStep());
  const form = h('form', { class: 'stack', 'aria-label': `Approval chain of ${resource.name}` },
    checkbox('Bookings need approval', requires),
    h('p', { class: 'hint', text: 'Each step is decided by any one of its users or role holders, in order. No step: any administrator.' }),
    stepsList,
    h('div', { class: 'actions' }, add),
    h('div', { class: 'row' },
      field('Expire undecided requests after (hours, 0: never)', expiry),
      field('Remind approvers after (hours, 0: never)', remind)),
    box,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button primary', text: 'Save chain' }),
      h('button', { type: 'button', class: 'button', text: 'Cancel', onclick: () => dialog.close() })));
  onSubmit(form, box, async () => {
    const steps = [];
    for (const row of rows) {
      const names = row.names.value.split(',').map((n) => n.trim()).filter(Boolean);
      const ids = await Promise.all(names.map((n) => directory.idOf(n)));
      const roles = [...row.roles.entries()].filter(([, input]) => input.checked).map(([role]) => role);
      if (!ids.length && !roles.length) throw new Error('Each step needs at least one user or role.');
      steps.push({ users: ids, roles });
    }
    await approvals.setChain(session.api, resource.resource_id, {
      requires_approval: requires.checked, steps, expiry_hours: Number(expiry.value), remind_after_hours: Number(remind.value),
    });
    dialog.close();
    toast(`Approval chain of ${resource.name} saved.`);
    session.events.emit('resources-changed', { resourceId: resource.resource_id });
  });
  const dialog = openDialog(`Approval chain: ${resource.name}`, form);
  try {
    const [chain] = await whileLoading(form, () => Promise.all([approvals.chain(session.api, resource.resource_id), directory.load()]));
    requires.checked = chain.requires_approval;
    expiry.value = String(chain.expiry_hours);
    remind.value = String(chain.remind_after_hours);
    chain.steps.forEach((step) => addStep((step.users ?? []).map((id) => directory.nameOf(id)), step.roles ?? []));
  } catch (error) {
    showError(box, error);
  }
  renumber();
  requires.focus();
}

export async function openCheckInPolicy(session: Session, resource: Resource): Promise<void> {
  const box = errorBox();
  const required = h('input', { type: 'checkbox', name: 'required' });
  const before = h('input', { type: 'number', name: 'opens_before_minutes', min: '0', required: true, value: '15' });
  const after = h('input', { type: 'number', name: 'closes_after_minutes', min: '0', required: true, value: '15' });
  const strikes = h('input', { type: 'number', name: 'no_show_strikes', min: '0', required: true, value: '0' });
  const form = h('form', { class: 'stack', 'aria-label': `Check-in of ${resource.name}` },
    checkbox('Check-in required (a booking not checked in is released as a no-show)', required),
    h('div', { class: 'row' },
      field('Window opens (minutes before the start)', before),
      field('Window closes (minutes after the start)', after)),
    field('Strikes: cancel the rest of a series after this many no-shows (0: never)', strikes),
    box,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button primary', text: 'Save check-in' }),
      h('button', { type: 'button', class: 'button', text: 'Cancel', onclick: () => dialog.close() })));
  onSubmit(form, box, async () => {
    await checkin.setPolicy(session.api, resource.resource_id, {
      required: required.checked,
      opens_before_minutes: Number(before.value),
      closes_after_minutes: Number(after.value),
      no_show_strikes: Number(strikes.value),
    });
    dialog.close();
    toast(`Check-in of ${resource.name} saved.`);
  });
  const dialog = openDialog(`Check-in: ${resource.name}`, form);
  try {
    const policy = await whileLoading(form, () => checkin.policy(session.api, resource.resource_id));
    required.checked = policy.required;
    before.value = String(policy.opens_before_minutes);
    after.value = String(policy.closes_after_minutes);
    strikes.value = String(policy.no_show_strikes);
  } catch (error) {
    showError(box, error);
  }
  required.focus();
}
