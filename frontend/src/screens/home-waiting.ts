// The dashboard's issue-10 cards: offers waiting for me (a countdown each, Accept on the
// My waitlist screen) and requests waiting for my decision. Both reload on their pushes.
import * as approvals from '../api/approvals';
import * as waitlist from '../api/waitlist';
import { h } from '../components/dom';
import { formatRange } from '../lib/time';
import type { Session } from '../state';
import { resourceNames, tick } from './waitlist';

type Panel = (title: string, id: string, body: HTMLElement, ...extra: Node[]) => { element: HTMLElement; box: HTMLElement };
type Filler = (list: HTMLElement, box: HTMLElement, fetch: () => Promise<{ nodes: Node[]; status: string }>, status: HTMLElement) => () => Promise<void>;

const SHOWN = 5;

function named(nameOf: (id: string) => Promise<string>, id: string, text: string): HTMLLIElement {
  const name = h('strong', { text: 'Resource…' });
  void nameOf(id).then((n) => { name.textContent = n; });
  return h('li', { class: 'row-item' }, h('div', { class: 'row-main' }, name, h('div', { class: 'hint', text })));
}

export function offersWaiting(session: Session, panel: Panel, filler: Filler): HTMLElement {
  const list = h('ul', { class: 'rows', 'aria-label': 'Offers waiting for me' });
  const status = h('p', { class: 'list-status', role: 'status' });
  const open = h('button', { type: 'button', class: 'button', text: 'My waitlist', onclick: () => session.nav.go('waitlist') });
  const { element, box } = panel('Offers waiting', 'home-offers', list, status, h('div', { class: 'actions' }, open));
  const nameOf = resourceNames(session);
  const load = filler(list, box, async () => {
    const page = await waitlist.mine(session.api, { limit: 50 });
    const offers = page.items.filter((e) => e.status === 'offered' && e.offer).slice(0, SHOWN);
    const nodes = offers.map((e) => {
      const item = named(nameOf, e.resource_id, formatRange(e.offer?.start_time ?? '', e.offer?.end_time ?? ''));
      item.append(h('span', {}, 'Accept within ', h('strong', { class: 'countdown', role: 'timer', dataset: { deadline: e.offer?.expires_at ?? '' } })));
      return item;
    });
    const waiting = page.items.filter((e) => e.status === 'waiting').length;
    return { nodes, status: offers.length ? '' : `No offer right now${waiting ? ` (waiting for ${waiting})` : ''}.` };
  }, status);
  const reload = async (): Promise<void> => { await load(); tick(list); };
  session.events.on('waitlist-changed', () => void reload());
  setInterval(() => tick(list), 1000);
  void reload();
  return element;
}

export function approvalsWaiting(session: Session, panel: Panel, filler: Filler): HTMLElement {
  const list = h('ul', { class: 'rows', 'aria-label': 'Requests waiting for my decision' });
  const status = h('p', { class: 'list-status', role: 'status' });
  const open = h('button', { type: 'button', class: 'button', text: 'Approvals', onclick: () => session.nav.go('approvals') });
  const { element, box } = panel('Approvals waiting', 'home-approvals', list, status, h('div', { class: 'actions' }, open));
  const nameOf = resourceNames(session);
  const load = filler(list, box, async () => {
    const page = await approvals.pending(session.api, { limit: SHOWN });
    return {
      nodes: page.items.map((r) => named(nameOf, r.resource_id, `${formatRange(r.start_time, r.end_time)} · step ${r.step + 1} of ${r.steps}`)),
      status: page.items.length ? `${page.items.length}${page.next_cursor ? '+' : ''} waiting for your decision.` : 'Nothing waits for your decision.',
    };
  }, status);
  session.events.on('approvals-changed', () => void load());
  void load();
  return element;
}
