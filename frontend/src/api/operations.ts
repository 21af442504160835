// Admin operations: the scheduled jobs (run now) and the workers' dead letters (redrive).
import type { Api, Schemas } from './client';

export type Job = Schemas['JobOut'];
export type JobRun = Schemas['JobRunOut'];
export type DeadLetterQueue = Schemas['DeadLetterQueueOut'];
export type DeadLetter = Schemas['DeadLetterOut'];

export const jobs = (api: Api) => api.call('get', '/api/v1/admin/jobs', {});
export const runJob = (api: Api, name: string) => api.call('post', '/api/v1/admin/jobs/{name}/run', { params: { name } });
export const deadLetters = (api: Api) => api.call('get', '/api/v1/admin/dead-letters', {});
export const redrive = (api: Api, queue: string, maxMessages = 100) =>
  api.call('post', '/api/v1/admin/dead-letters/{queue}/redrive', { params: { queue }, body: { max_messages: maxMessages } });
