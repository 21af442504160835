// What the calendar shows of each resource, fetched per resource and cached per day range, so
// a live message about one resource refetches that resource only.
import * as resourcesApi from '../api/resources';
import * as rules from '../api/rules';
import type { Resource } from '../api/resources';
import { addDays, instantFromWallClock } from '../lib/time';
import type { Session } from '../state';
import { busyBlocks } from '../screens/booking';
import { BATCH_MAX, blocksOf, chunks } from './batch';
import { blockEvent, closedEvents, type Block, type GridEvent, type WeekHours } from './mapping';

const CONCURRENCY = 8;

/**
 * `shared`: many resources at once (the timeline): blackouts come from the one global list
 * instead of one request per resource (a resource's own blackouts show in its own views and
 * the API refuses bookings on them anyway), and the busy blocks of up to 200 rows come in one
 * batch request: the whole timeline is one request for its rows' schedules.
 */
export interface Range { fromDay: string; toDay: string; zone: string; shared?: boolean }

interface Loaded { events: GridEvent[]; blocks: Block[] }

/** Run `task` over `items`, at most `limit` at a time. */
export async function pool<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await task(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export class CalendarData {
  private readonly cache = new Map<string, Promise<Loaded>>();
  private defaultHours: Promise<WeekHours> | null = null;
  private globalBlackouts = new Map<string, Promise<rules.Blackout[]>>();

  constructor(private readonly session: Session) {}

  /** Forget one resource (a live message about it) or everything. */
  invalidate(resourceId?: string): void {
    if (!resourceId) {
      this.cache.clear();
      this.defaultHours = null;
      this.globalBlackouts.clear();
      return;
    }
    for (const key of this.cache.keys()) if (key.startsWith(`${resourceId}|`)) this.cache.delete(key);
  }

  /** The events of `resources` over the range, and their busy blocks (for the drag check). */
  async events(resources: Resource[], range: Range): Promise<{ events: GridEvent[]; blocks: Map<string, Block[]> }> {
    // Every row's load is taken now, not looked up again later: a live message may invalidate
    // a row meanwhile, and its own refetch follows (it must not become a lone request here).
    const planned = range.shared ? this.batch(resources, range) : new Map<string, Promise<Loaded>>();
    for (const r of resources) {
      const cached = this.cache.get(this.key(r, range));
      if (cached && !planned.has(r.resource_id)) planned.set(r.resource_id, cached);
    }
    const loaded = await pool(resources, CONCURRENCY, (r) => planned.get(r.resource_id) ?? this.load(r, range));
    const blocks = new Map<string, Block[]>();
    resources.forEach((r, i) => blocks.set(r.resource_id, loaded[i].blocks));
    return { events: loaded.flatMap((l) => l.events), blocks };
  }

  private key(resource: Resource, range: Range): string {
    return `${resource.resource_id}|${range.fromDay}|${range.toDay}|${range.zone}|${range.shared ? 's' : 'o'}`;
  }

  private load(resource: Resource, range: Range, busy?: Promise<Block[] | null>): Promise<Loaded> {
    const key = this.key(resource, range);
    let entry = this.cache.get(key);
    if (!entry) {
      entry = this.fetch(resource, range, busy);
      entry.catch(() => this.cache.delete(key));
      this.cache.set(key, entry);
    }
    return entry;
  }

  /** The rows not cached yet get their blocks from one request per BATCH_MAX of them (their loads, by id). */
  private batch(resources: Resource[], range: Range): Map<string, Promise<Loaded>> {
    const missing = resources.filter((r) => !this.cache.has(this.key(r, range)));
    const { from, to } = this.window(range);
    const planned = new Map<string, Promise<Loaded>>();
    for (const group of chunks(missing, BATCH_MAX)) {
      const answer = resourcesApi.schedules(this.session.api, group.map((r) => r.resource_id), from, to);
      for (const r of group) planned.set(r.resource_id, this.load(r, range, answer.then((a) => blocksOf(a, r.resource_id))));
    }
    return planned;
  }

  private window(range: Range): { from: string; to: string } {
    return {
      from: instantFromWallClock(`${range.fromDay}T00:00`, range.zone).toISOString(),
      to: instantFromWallClock(`${range.toDay}T00:00`, range.zone).toISOString(),
    };
  }

  private hoursOf(resource: Resource): Promise<WeekHours> {
    const api = this.session.api;
    if (resource.has_own_business_hours) return rules.resourceHours(api, resource.resource_id).then((h) => h.effective);
    this.defaultHours ??= rules.defaultHours(api).then((h) => h.days);
    return this.defaultHours;
  }

  private blackoutsOf(id: string, range: Range): Promise<rules.Blackout[]> {
    const dates = { from: addDays(range.fromDay, -1), to: addDays(range.toDay, 1) };
    if (!range.shared) return rules.resourceBlackouts(this.session.api, id, dates);
    const key = `${dates.from}|${dates.to}`;
    let list = this.globalBlackouts.get(key);
    if (!list) {
      list = rules.globalBlackouts(this.session.api, dates);
      this.globalBlackouts.set(key, list);
    }
    return list;
  }

  private async fetch(resource: Resource, range: Range, batched?: Promise<Block[] | null>): Promise<Loaded> {
    const id = resource.resource_id;
    const { from, to } = this.window(range);
    const zone = resource.timezone || 'UTC';
    // A batch that could not cover this row (too many blocks) falls back to its own pages.
    const own = async (): Promise<{ blocks: Block[] }> => {
      const blocks = batched ? await batched : null;
      return blocks ? { blocks } : busyBlocks(this.session, id, from, to);
    };
    const [busy, hours, blackouts] = await Promise.all([
      own(),
      this.hoursOf(resource),
      this.blackoutsOf(id, range),
    ]);
    const events = [
      ...closedEvents(id, hours, blackouts, zone, range.zone, range.fromDay, range.toDay),
      ...busy.blocks.map((b) => blockEvent(b, id, range.zone)),
    ];
    return { events, blocks: busy.blocks };
  }
}

/** Up to `max` resources matching the catalogue filters, following the cursor. */
export async function filteredResources(session: Session, query: resourcesApi.ResourceQuery, max: number): Promise<{ items: Resource[]; more: boolean }> {
  let items: Resource[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 20; page += 1) {
    const answer = await resourcesApi.list(session.api, { ...query, cursor, limit: Math.min(100, max - items.length) });
    items = items.concat(answer.items);
    cursor = answer.next_cursor ?? null;
    if (!cursor || items.length >= max) break;
  }
  return { items: items.slice(0, max), more: Boolean(cursor) };
}
