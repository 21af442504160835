// Admin: booking quotas (issue 13; docs/quotas.md). The rules (create, edit in a dialog,
// enable/disable, delete), per-user overrides with an expiry, and the users near a limit.
import * as quotas from '../../api/quotas';
import { badge } from '../../components/badge';
import { confirmAction } from '../../components/confirm';
import { openDialog, toast } from '../../components/dialog';
import { checkbox, clear, field, h, select, titledForm } from '../../components/dom';
import { errorBox, guarded, onSubmit } from '../../components/errors';
import { formatInstant, localInputToIso } from '../../lib/time';
import type { Session } from '../../state';

const METRICS = [['hours', 'Booked hours'], ['count', 'Number of reservations'], ['concurrent', 'Future reservations at once'], ['waitlist', 'Active waitlist entries']] as const;
const PERIODS = [['', 'No period'], ['day', 'Per day'], ['week', 'Per week'], ['month', 'Per month']] as const;
const SCOPES = [['global', 'Everyone, every resource'], ['resource', 'One resource (id)'], ['tag', 'Resources with a tag'], ['group', 'A location and below (group id)'], ['role', 'Users with a role']] as const;

type Metric = quotas.RuleIn['metric'];
type Period = NonNullable<quotas.RuleIn['period']>;
type Scope = NonNullable<quotas.RuleIn['scope']>;

export function render(session: Session): HTMLElement {
  const box = errorBox();
  const rules = h('ul', { class: 'rows', 'aria-label': 'Quota rules' });
  const overrides = h('ul', { class: 'rows', 'aria-label': 'Overrides' });
  const alerts = h('ul', { class: 'rows', 'aria-label': 'Users near a limit' });
  let known: quotas.Rule[] = [];
  const reload = async (): Promise<void> => {
    const [r, o, a] = await Promise.all([
      guarded(box, () => quotas.rules(session.api)),
      guarded(box, () => quotas.overrides(session.api)),
      guarded(box, () => quotas.alerts(session.api)),
    ]);
    if (r) {
      known = r.items;
      clear(rules).append(...(known.length ? known.map((rule) => ruleRow(session, rule, reload)) : [h('li', { class: 'empty', text: 'No rules: nobody is limited.' })]));
    }
    if (o) clear(overrides).append(...(o.items.length ? o.items.map((x) => overrideRow(session, x, known, reload)) : [h('li', { class: 'empty', text: 'No overrides.' })]));
    if (a) clear(alerts).append(...(a.items.length ? a.items.map(alertRow) : [h('li', { class: 'empty', text: 'Nobody is at 80% of a limit.' })]));
  };
  void reload();
  return h('div', { class: 'admin-quotas stack' },
    box,
    ruleForm(session, null, reload),
    h('h2', { text: 'Rules' }), rules,
    overrideForm(session, () => known, reload),
    h('h2', { text: 'Overrides' }), overrides,
    h('h2', { text: 'Users near a limit' }), alerts);
}

function ruleForm(session: Session, rule: quotas.Rule | null, done: () => Promise<void>, dialog?: HTMLDialogElement): HTMLFormElement {
  const box = errorBox();
  const name = h('input', { name: 'name', required: true, maxlength: '100', value: rule?.name ?? '' });
  const metric = select('metric', METRICS, rule?.metric ?? 'hours');
  const limit = h('input', { name: 'limit', type: 'number', min: '0', step: 'any', required: true, value: rule ? String(rule.limit) : '' });
  const period = select('period', PERIODS, rule?.period ?? 'week');
  const scope = select('scope', SCOPES, rule?.scope ?? 'global');
  const scopeValue = h('input', { name: 'scope_value', maxlength: '64', value: rule?.scope_value ?? '' });
  const peak = h('input', { name: 'peak', placeholder: '09:00-17:00', pattern: '\\d\\d:\\d\\d-\\d\\d:\\d\\d', value: rule?.peak ?? '' });
  const exempt = h('input', { name: 'exempt_roles', placeholder: 'admin', value: (rule?.exempt_roles ?? []).join(', ') });
  const enabled = h('input', { type: 'checkbox', name: 'enabled', checked: rule?.enabled ?? true });
  const form = titledForm(rule ? 'h3' : 'h2', rule ? `Edit rule ${rule.name}` : 'New quota rule',
    box,
    h('div', { class: 'row' }, field('Name', name), field('Counts', metric), field('Limit', limit, 'Hours for booked hours, else a number.')),
    h('div', { class: 'row' }, field('Period', period, 'Future reservations and waitlist entries have none.'), field('Applies to', scope), field('Scope value', scopeValue, 'The resource id, tag, group id or role.')),
    h('div', { class: 'row' }, field('Peak hours only', peak, 'Optional, local time of the resource.'), field('Exempt roles', exempt, 'Comma-separated.')),
    checkbox('Enabled', enabled),
    h('button', { type: 'submit', class: 'button primary', text: rule ? 'Save rule' : 'Create rule' }));
  return onSubmit(form, box, async () => {
    const kind = metric.value as Metric;
    const body: quotas.RuleIn = {
      name: name.value.trim(),
      metric: kind,
      limit: Number(limit.value),
      period: kind === 'concurrent' || kind === 'waitlist' || !period.value ? null : (period.value as Period),
      scope: scope.value as Scope,
      scope_value: scope.value === 'global' ? null : scopeValue.value.trim() || null,
      peak: peak.value.trim() || null,
      exempt_roles: exempt.value.split(',').map((r) => r.trim()).filter(Boolean),
      enabled: enabled.checked,
    };
    const saved = rule ? await quotas.replaceRule(session.api, rule.rule_id, body) : await quotas.createRule(session.api, body);
    toast(`Rule ${saved.name} ${rule ? 'saved' : 'created'}.`);
    if (!rule) {
      form.reset();  // back to the defaults a new rule starts from
      [metric.value, period.value, scope.value, enabled.checked] = ['hours', 'week', 'global', true];
    }
    dialog?.close();
    await done();
  });
}

function describe(rule: quotas.Rule): string {
  const unit = rule.metric === 'hours' ? 'h' : rule.metric === 'waitlist' ? 'entries' : 'reservations';
  const per = rule.period ? ` per ${rule.period}` : '';
  const where = rule.scope === 'global' ? 'everyone' : `${rule.scope} ${rule.scope_value ?? ''}`;
  const peak = rule.peak ? `, ${rule.peak} only` : '';
  return `${rule.limit} ${unit}${per} (${rule.metric}), ${where}${peak}`;
}

function ruleRow(session: Session, rule: quotas.Rule, changed: () => Promise<void>): HTMLElement {
  return h('li', { class: 'row-item', dataset: { ruleId: rule.rule_id } },
    h('div', { class: 'row-main' },
      h('strong', { text: rule.name }), ' ', rule.enabled ? null : badge('disabled', 'warning'),
      h('div', { text: describe(rule) }),
      h('div', { class: 'hint', text: `Id ${rule.rule_id}${rule.exempt_roles.length ? ` · exempt: ${rule.exempt_roles.join(', ')}` : ''}` })),
    h('div', { class: 'actions' },
      h('button', {
        type: 'button', class: 'button', text: 'Edit', 'aria-label': `Edit rule ${rule.name}`,
        onclick: () => { const dialog = openDialog(`Edit rule ${rule.name}`); dialog.querySelector('.dialog-body')?.append(ruleForm(session, rule, changed, dialog)); },
      }),
      h('button', {
        type: 'button', class: 'button danger', text: 'Delete', 'aria-label': `Delete rule ${rule.name}`,
        onclick: () => confirmAction(`Delete rule ${rule.name}`, 'Bookings are no longer counted against it.', 'Delete', async () => {
          await quotas.removeRule(session.api, rule.rule_id);
          toast(`Rule ${rule.name} deleted.`);
          await changed();
        }),
      })));
}

function overrideForm(session: Session, rules: () => quotas.Rule[], done: () => Promise<void>): HTMLFormElement {
  const box = errorBox();
  const user = h('input', { name: 'user_id', required: true, maxlength: '64' });
  const rule = h('input', { name: 'rule_id', required: true, maxlength: '64' });
  const limit = h('input', { name: 'limit', type: 'number', min: '0', step: 'any', required: true });
  const expires = h('input', { name: 'expires_at', type: 'datetime-local' });
  const reason = h('input', { name: 'reason', maxlength: '500' });
  const form = titledForm('h2', 'Give a user their own limit',
    box,
    h('div', { class: 'row' }, field('User id', user), field('Rule', rule, 'Its name or the id shown on it.'), field('Limit', limit, 'In the rule\u2019s unit.')),
    h('div', { class: 'row' }, field('Until', expires, 'Empty: until removed.'), field('Reason', reason)),
    h('button', { type: 'submit', class: 'button primary', text: 'Set override' }));
  return onSubmit(form, box, async () => {
    const ruleId = rule.value.trim();
    const named = rules().find((r) => r.rule_id === ruleId || r.name === ruleId);
    const saved = await quotas.setOverride(session.api, user.value.trim(), named?.rule_id ?? ruleId, {
      limit: Number(limit.value),
      expires_at: expires.value ? localInputToIso(expires.value) : null,
      reason: reason.value.trim(),
    });
    toast(`Override set for ${saved.user_id}.`);
    form.reset();
    await done();
  });
}

function overrideRow(session: Session, o: quotas.Override, rules: quotas.Rule[], changed: () => Promise<void>): HTMLElement {
  const rule = rules.find((r) => r.rule_id === o.rule_id);
  const label = `${o.user_id} on ${rule?.name ?? o.rule_id}`;
  return h('li', { class: 'row-item', dataset: { userId: o.user_id, ruleId: o.rule_id } },
    h('div', { class: 'row-main' },
      h('strong', { text: label }),
      h('div', { text: `Limit ${o.limit}${o.expires_at ? `, until ${formatInstant(o.expires_at)}` : ', until removed'}` }),
      o.reason ? h('div', { class: 'hint', text: o.reason }) : null),
    h('div', { class: 'actions' }, h('button', {
      type: 'button', class: 'button danger', text: 'Remove', 'aria-label': `Remove override ${label}`,
      onclick: () => confirmAction(`Remove override ${label}`, 'The rule\u2019s own limit applies again.', 'Remove', async () => {
        await quotas.removeOverride(session.api, o.user_id, o.rule_id);
        toast('Override removed.');
        await changed();
      }),
    })));
}

function alertRow(a: quotas.Alert): HTMLElement {
  return h('li', { class: 'row-item' },
    h('div', { class: 'row-main' },
      h('strong', { text: `${a.user_id}: ${a.rule_name}` }),
      h('div', { text: `${quotas.amount(a.used, a.unit)} of ${quotas.amount(a.limit, a.unit)} (${Math.round(a.share * 100)}%)` }),
      a.resets_at ? h('div', { class: 'hint', text: `Resets ${formatInstant(a.resets_at)}` }) : null));
}
