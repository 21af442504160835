// Calendar feeds (issue 12): the "Calendar feed" section of the profile (subscription URL, copy,
// regenerate) and the "Add to calendar" dialog of a reservation (.ics, Google, Outlook).
import * as calendar from '../api/calendar';
import type { Reservation } from '../api/reservations';
import { copyFeedUrl } from '../components/clipboard';
import { openDialog, toast } from '../components/dialog';
import { field, h, titledForm } from '../components/dom';
import { errorBox, onSubmit, showError } from '../components/errors';
import { formatRange } from '../lib/time';
import type { Session } from '../state';

/** The profile's section: my feed URL to paste into a calendar app, and a way to replace it. */
export function feedSection(session: Session): HTMLFormElement {
  const url = h('input', { type: 'text', name: 'feed_url', readonly: true, value: '', 'aria-busy': 'true' });
  const open = h('a', { class: 'button', href: '#', text: 'Open in calendar app', hidden: true });
  const box = errorBox();
  const show = (subscription: calendar.Subscription): void => {
    url.value = subscription.url;
    url.removeAttribute('aria-busy');
    open.href = subscription.webcal_url;
    open.hidden = false;
  };
  const form = titledForm('h3', 'Calendar feed',
    h('p', { class: 'hint', text: 'Subscribe to this URL in your calendar app to see your reservations there. Anyone with the URL can read your reservations: keep it private.' }),
    field('Feed URL', url),
    box,
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button', text: 'Copy URL', onclick: () => void copyFeedUrl(url.value) }),
      open,
      h('button', { type: 'button', class: 'button danger', text: 'Regenerate URL…', onclick: () => confirmRegenerate(session, show) })));
  form.addEventListener('submit', (event) => event.preventDefault());  // nothing to submit
  calendar.subscriptionUrl(session.api).then(show).catch((error: unknown) => showError(box, error));
  return form;
}

function confirmRegenerate(session: Session, show: (subscription: calendar.Subscription) => void): void {
  const box = errorBox();
  const form = h('form', { class: 'stack', 'aria-label': 'Regenerate feed URL' },
    h('p', { text: 'Calendars subscribed to the old URL stop updating; subscribe them to the new one.' }),
    box,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button danger', text: 'Replace the URL' }),
      h('button', { type: 'button', class: 'button', text: 'Keep it', onclick: () => dialog.close() })));
  onSubmit(form, box, async () => {
    show(await calendar.regenerate(session.api));
    dialog.close();
    toast('New feed URL made; the old one no longer works.');
  });
  const dialog = openDialog('Regenerate feed URL', form);
}


/** The reservation card's button: opens the "Add to calendar" dialog. */
export function addToCalendarButton(session: Session, reservation: Reservation, name: () => string): HTMLButtonElement {
  return h('button', {
    type: 'button', class: 'button', text: 'Add to calendar',
    onclick: () => void openAddToCalendar(session, reservation, name()),
  });
}

async function openAddToCalendar(session: Session, reservation: Reservation, name: string): Promise<void> {
  const box = errorBox();
  const list = h('div', { class: 'actions', 'aria-busy': 'true' });
  openDialog('Add to calendar',
    h('p', { text: `${name}: ${formatRange(reservation.start_time, reservation.end_time)}` }), box, list);
  try {
    const links = await calendar.links(session.api, reservation.reservation_id);
    list.replaceChildren(
      h('button', { type: 'button', class: 'button', text: 'Download .ics', onclick: () => void download(session, reservation, box) }),
      external(links.google, 'Google Calendar'),
      external(links.outlook, 'Outlook.com'),
      external(links.office365, 'Outlook (Microsoft 365)'));
  } catch (error) {
    showError(box, error);
  } finally {
    list.removeAttribute('aria-busy');
  }
}

function external(href: string, label: string): HTMLAnchorElement {
  return h('a', { class: 'button', href, target: '_blank', rel: 'noopener noreferrer', text: `Add to ${label}` });
}

async function download(session: Session, reservation: Reservation, box: HTMLElement): Promise<void> {
  try {
    const text = await calendar.exportIcs(session.api, reservation.reservation_id);
    const href = URL.createObjectURL(new Blob([text], { type: 'text/calendar' }));
    const anchor = h('a', { href, download: `reservation-${reservation.reservation_id}.ics`, hidden: true });
    document.body.append(anchor);
    anchor.click();
    anchor.remove();
    setTimeout(() => URL.revokeObjectURL(href), 10_000);
  } catch (error) {
    showError(box, error);
  }
}
