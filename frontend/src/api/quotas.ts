// Booking quotas (issue 13; docs/quotas.md): my usage, and for admins the rules, per-user
// overrides and the users near a limit.
import type { Api, BodyOf, Schemas } from './client';

export type Usage = Schemas['RuleUsageOut'];
export type Rule = Schemas['QuotaRuleOut'];
export type RuleIn = BodyOf<'/api/v1/quotas/rules', 'post'>;
export type Override = Schemas['QuotaOverrideOut'];
export type OverrideIn = BodyOf<'/api/v1/quotas/overrides/{user_id}/{rule_id}', 'put'>;
export type Alert = Schemas['QuotaAlertOut'];

export const myUsage = (api: Api) => api.call('get', '/api/v1/quotas/my-usage');

export const rules = (api: Api) => api.call('get', '/api/v1/quotas/rules');
export const createRule = (api: Api, body: RuleIn) => api.call('post', '/api/v1/quotas/rules', { body });
export const replaceRule = (api: Api, ruleId: string, body: RuleIn) =>
  api.call('put', '/api/v1/quotas/rules/{rule_id}', { params: { rule_id: ruleId }, body });
export const removeRule = (api: Api, ruleId: string) =>
  api.call('delete', '/api/v1/quotas/rules/{rule_id}', { params: { rule_id: ruleId } });

export const overrides = (api: Api) => api.call('get', '/api/v1/quotas/overrides');
export const setOverride = (api: Api, userId: string, ruleId: string, body: OverrideIn) =>
  api.call('put', '/api/v1/quotas/overrides/{user_id}/{rule_id}', { params: { user_id: userId, rule_id: ruleId }, body });
export const removeOverride = (api: Api, userId: string, ruleId: string) =>
  api.call('delete', '/api/v1/quotas/overrides/{user_id}/{rule_id}', { params: { user_id: userId, rule_id: ruleId } });

export const alerts = (api: Api, threshold = 0.8) => api.call('get', '/api/v1/quotas/alerts', { query: { threshold } });

/** "5 h 30 min" for minutes, else the number with its unit. */
export function amount(value: number, unit: string): string {
  if (unit !== 'minutes') return `${value} ${unit}`;
  const hours = Math.floor(value / 60);
  const minutes = value % 60;
  return [hours ? `${hours} h` : '', minutes || !hours ? `${minutes} min` : ''].filter(Boolean).join(' ');
}
