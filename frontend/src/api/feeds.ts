// Calendar feeds of a resource or a location (issue 12): the admin setting (public, token, off)
// and the subscription URL it gives.
import type { Api, Schemas } from './client';

export type FeedMode = Schemas['ResourceFeedIn']['mode'];
export type FeedSetting = { mode: string; url: string | null; webcal_url: string | null };
export type FeedTarget = { kind: 'resource' | 'location'; id: string; name: string };

export const setting = (api: Api, target: FeedTarget): Promise<FeedSetting> =>
  target.kind === 'resource'
    ? api.call('get', '/api/v1/calendar/resources/{resource_id}/settings', { params: { resource_id: target.id } })
    : api.call('get', '/api/v1/calendar/groups/{group_id}/settings', { params: { group_id: target.id } });

export const setMode = (api: Api, target: FeedTarget, mode: FeedMode, regenerateToken = false): Promise<FeedSetting> => {
  const body = { mode, regenerate_token: regenerateToken };
  return target.kind === 'resource'
    ? api.call('put', '/api/v1/calendar/resources/{resource_id}/settings', { params: { resource_id: target.id }, body })
    : api.call('put', '/api/v1/calendar/groups/{group_id}/settings', { params: { group_id: target.id }, body });
};
