// Admin metrics: the counters of the last N minutes and the worker queues (issue 15).
import type { Api, Schemas } from './client';

export type MetricsSummary = Schemas['MetricsSummaryOut'];
export type QueueDepth = Schemas['QueueDepthOut'];

export const summary = (api: Api, minutes: number) =>
  api.call('get', '/api/v1/admin/metrics/summary', { query: { minutes } });
