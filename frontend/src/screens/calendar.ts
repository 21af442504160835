// The calendar grid (@event-calendar/core): a resource's day or week in ITS time zone, or a
// day timeline with the catalogue's filtered resources as rows in the browser's zone. Others'
// bookings are "Busy"; mine, my holds and my pending requests are told apart; closed hours
// and blackout dates are shaded. Dragging across free time opens the Reserve dialog. Live
// messages refetch the resource they name; my own changes refetch what they touched.
import '@event-calendar/core/index.css';
import { createCalendar, destroyCalendar, Interaction, ResourceTimeGrid, ResourceTimeline, type Calendar } from '@event-calendar/core';
import type { Resource } from '../api/resources';
import { keepFlat } from '../calendar/a11y';
import { CalendarData, filteredResources } from '../calendar/data';
import { overlapsBusy, selectionWindow, type Block } from '../calendar/mapping';
import { field, h, select } from '../components/dom';
import { clearError, errorBox, showError } from '../components/errors';
import { browserTimeZone, formatRange, todayIn, toLocalInput, type TimeWindow } from '../lib/time';
import type { Session } from '../state';
import { openReserve } from './booking';
import { filterBar, listQuery, noFilters } from './resources';
import { joinButton } from './waitlist';

/** The timeline shows at most this many rows (the filters narrow it down). */
export const MAX_ROWS = 200;

const VIEWS = [
  ['timeline', 'Day timeline of the resources'],
  ['week', "One resource's week"],
  ['day', "One resource's day"],
] as const;
type Mode = (typeof VIEWS)[number][0];
const VIEW_NAMES: Record<Mode, string> = { timeline: 'resourceTimelineDay', week: 'resourceTimeGridWeek', day: 'resourceTimeGridDay' };

const LEGEND = [['mine', 'Yours'], ['held', 'Yours: held'], ['pending', 'Yours: waiting for approval'], ['busy', 'Busy (someone else)'], ['closed', 'Closed'], ['blackout', 'Blackout date']] as const;
/** How long the grid waits after a live message for more before it refetches (one redraw per burst). */
const REFETCH_SETTLE_MS = 250;

export function render(session: Session): HTMLElement {
  const filters = noFilters();
  const data = new CalendarData(session);
  const mode = select('calendar_view', VIEWS, 'timeline');
  const picker = h('select', { name: 'calendar_resource' });
  const pickerField = field('Resource', picker);
  const reserve = h('button', { type: 'button', class: 'button primary', text: 'Reserve…' });
  const status = h('p', { class: 'list-status', role: 'status' });
  const box = errorBox();
  const host = h('div', { class: 'calendar-host', role: 'region', 'data-testid': 'calendar' });
  // What the grid shows, as text (the grid itself is a pointer-driven picture).
  const summary = h('ul', { class: 'visually-hidden', 'aria-label': 'Bookings shown in the calendar' });
  keepFlat(host);
  const bar = filterBar(session, filters, () => void reloadResources(), () => host.setAttribute('aria-busy', 'true'),
    { searchLabel: 'Filter the calendar', freeWindow: false });

  let resources: Resource[] = [];
  let shown: Resource[] = [];
  let blocks = new Map<string, Block[]>();
  let calendar: Calendar | null = null;
  let unwatch: (() => void)[] = [];
  let marks = { created: 0, fetched: 0 };

  const currentMode = (): Mode => mode.value as Mode;
  const zone = (): string => (currentMode() === 'timeline' ? browserTimeZone() : shown[0]?.timezone || 'UTC');
  const chosen = (): Resource | undefined => resources.find((r) => r.resource_id === picker.value);

  async function reloadResources(): Promise<void> {
    clearError(box);
    host.setAttribute('aria-busy', 'true');
    try {
      const answer = await filteredResources(session, listQuery(filters, null, 100), MAX_ROWS);
      resources = answer.items;
      const keep = picker.value;
      picker.replaceChildren(...resources.map((r) => h('option', { value: r.resource_id, text: r.name, selected: r.resource_id === keep })));
      status.textContent = answer.more ? `The first ${MAX_ROWS} matching resources are shown: narrow the filters to see others.` : '';
      await rebuild();
    } catch (error) {
      showError(box, error);
      host.removeAttribute('aria-busy');
    }
  }

  /** A new grid for the mode and resources; rebuilds run one after the other. */
  let building = Promise.resolve();
  function rebuild(): Promise<void> {
    building = building.then(build).catch((error: unknown) => showError(box, error));
    return building;
  }

  async function build(): Promise<void> {
    const m = currentMode();
    pickerField.hidden = m === 'timeline';
    reserve.hidden = m === 'timeline' || !session.canBook;
    shown = m === 'timeline' ? resources : resources.filter((r) => r.resource_id === picker.value).slice(0, 1);
    if (m !== 'timeline' && !shown.length && resources.length) shown = [resources[0]];
    watch();
    const old = calendar;
    calendar = null;
    if (old) await destroyCalendar(old);
    marks = { created: performance.now(), fetched: 0 };
    for (const key of ['rowsMs', 'eventsMs', 'totalMs']) host.removeAttribute(`data-${key.replace('Ms', '-ms')}`);
    host.dataset.zone = zone();
    calendar = createCalendar(host, [ResourceTimeGrid, ResourceTimeline, Interaction], options(m));
    requestAnimationFrame(() => { host.dataset.rowsMs = String(Math.round(performance.now() - marks.created)); });
    const summary = m === 'timeline' ? `${shown.length} resources, times in your zone (${zone()})` : `times in the resource's zone (${zone()})`;
    host.setAttribute('aria-label', `Calendar: ${summary}`);
  }

  function options(m: Mode): Calendar.Options {
    return {
      view: VIEW_NAMES[m],
      date: todayIn(zone()),
      locale: navigator.language,
      firstDay: 1,
      height: m === 'timeline' ? '70vh' : '640px',
      headerToolbar: { start: 'prev,next today', center: 'title', end: '' },
      resources: shown.map((r) => ({ id: r.resource_id, title: r.name })),
      scrollTime: '07:00:00',
      slotDuration: m === 'timeline' ? '01:00' : '00:30',
      slotWidth: 56,
      nowIndicator: true,
      selectable: session.canBook,
      selectMinDistance: 5,
      editable: false,
      eventSources: [{ events: (info: Calendar.FetchInfo) => fetchEvents(info) }],
      eventAllUpdated: () => {
        if (!marks.fetched) return;
        // Render time of the fetched events (the grid is drawn in the next frame).
        requestAnimationFrame(() => {
          host.dataset.eventsMs = String(Math.round(performance.now() - marks.fetched));
          host.dataset.totalMs = String(Math.round(performance.now() - marks.created));
          describe();
        });
      },
      select: (info) => onSelect(info),
    };
  }

  // The grid applies the answers of its event source in the order they arrive, so two quick
  // day changes could end on the first day's events when its answer came last. Every answer
  // is therefore the newest range's: an older call waits for the newer one and returns that.
  let newest: Promise<Awaited<ReturnType<typeof data.events>> | null> | null = null;
  let inFlight = 0;

  async function fetchEvents(info: Calendar.FetchInfo): Promise<Calendar.EventInput[]> {
    let current = loadRange(info);
    newest = current;
    let loaded = await current;
    while (newest !== null && newest !== current) {
      current = newest;
      loaded = await current;
    }
    if (!loaded) return [];
    blocks = loaded.blocks;
    marks.fetched = performance.now();
    return loaded.events;
  }

  async function loadRange(info: Calendar.FetchInfo): Promise<Awaited<ReturnType<typeof data.events>> | null> {
    clearError(box);
    inFlight += 1;
    host.setAttribute('aria-busy', 'true');
    try {
      const range = { fromDay: info.startStr.slice(0, 10), toDay: info.endStr.slice(0, 10), zone: zone(), shared: currentMode() === 'timeline' };
      return await data.events(shown, range);
    } catch (error) {
      showError(box, error);
      return null;
    } finally {
      inFlight -= 1;
      if (!inFlight) host.removeAttribute('aria-busy');
    }
  }

  function onSelect(info: Calendar.SelectInfo): void {
    calendar?.unselect();
    const resourceId = String(info.resource?.id ?? shown[0]?.resource_id ?? '');
    const resource = shown.find((r) => r.resource_id === resourceId);
    if (!resource) return;
    const window: TimeWindow = selectionWindow(info.startStr, info.endStr, zone());
    if (overlapsBusy(window, blocks.get(resourceId) ?? [])) {
      // The window is named so the person sees what they selected before they join its waitlist.
      const selected = formatRange(window.start.toISOString(), window.end.toISOString());
      showError(box, new Error(`${resource.name} is already booked in part of ${selected}: choose free time, or wait for it.`));
      // A taken slot: join its waitlist for exactly that window (issue 10).
      box.append(h('div', { class: 'actions' }, joinButton(session, resource, window)));
      return;
    }
    openReserve(session, resource, window);
  }

  /** The blocks on screen as a list for screen readers: "Room 1: Busy, 10:00 – 11:00". */
  function describe(): void {
    const names = new Map(shown.map((r) => [r.resource_id, r.name]));
    const items = (calendar?.getEvents() ?? [])
      .filter((e) => e.display === 'auto')
      .map((e) => {
        // The library hands out local Dates showing the grid's wall-clock time.
        const window = selectionWindow(`${toLocalInput(e.start)}:00`, `${toLocalInput(e.end)}:00`, zone());
        const title = typeof e.title === 'string' ? e.title : '';
        return `${names.get(String(e.resourceIds[0])) ?? ''}: ${title}, ${formatRange(window.start.toISOString(), window.end.toISOString())}`;
      });
    summary.replaceChildren(...(items.length ? items : ['No bookings in this period.']).map((text) => h('li', { text })));
  }

  /** Live messages for the resources on screen. */
  function watch(): void {
    unwatch.forEach((stop) => stop());
    unwatch = shown.flatMap((r) => (session.live ? [session.live.watchResource(r.resource_id)] : []));
  }

  // A burst of live messages (an import of 200 rooms, a series booked) redraws the grid once:
  // each message invalidates its resource now, one refetch follows shortly after the last.
  // Never under a drag: a redraw would move the selection away from the pointer, so the
  // refetch waits until the button is released.
  let refetchTimer: ReturnType<typeof setTimeout> | undefined;
  let dragging = false;
  host.addEventListener('pointerdown', () => { dragging = true; }, { capture: true });
  const released = (): void => { dragging = false; };
  document.addEventListener('pointerup', released, { capture: true });
  document.addEventListener('pointercancel', released, { capture: true });
  const fire = (): void => {
    if (dragging) {
      refetchTimer = setTimeout(fire, REFETCH_SETTLE_MS);
      return;
    }
    refetchTimer = undefined;
    calendar?.refetchEvents();
  };
  const refetch = (resourceId?: string): void => {
    if (resourceId && !shown.some((r) => r.resource_id === resourceId)) return;
    data.invalidate(resourceId);
    if (refetchTimer !== undefined) clearTimeout(refetchTimer);
    refetchTimer = setTimeout(fire, REFETCH_SETTLE_MS);
  };
  session.events.on('reservations-changed', ({ resourceId }) => refetch(resourceId));
  session.events.on('resource-activity', ({ resourceId }) => refetch(resourceId));
  session.events.on('resources-changed', ({ resourceId }) => refetch(resourceId));

  mode.addEventListener('change', () => void rebuild());
  picker.addEventListener('change', () => void rebuild());
  reserve.addEventListener('click', () => {
    const resource = chosen() ?? shown[0];
    if (resource) openReserve(session, resource);
  });
  void reloadResources();

  return h('div', { class: 'calendar-screen' },
    h('div', { class: 'toolbar' },
      h('div', { class: 'row' }, field('View', mode), pickerField, h('div', { class: 'actions' }, reserve)),
      bar),
    h('ul', { class: 'legend', 'aria-label': 'Legend' },
      LEGEND.map(([kind, text]) => h('li', {}, h('span', { class: `swatch rr-${kind}`, 'aria-hidden': 'true' }), text))),
    h('p', { class: 'hint', text: 'Drag across free time to book it; or use Reserve… (keyboard) in a resource view.' }),
    box,
    status,
    summary,
    host);
}
