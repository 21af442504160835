// Check-in on a reservation around its start (issue 10): the server's window decides; the
// card asks for it only near the start. Shows "Check in" inside the window, when it opens
// before it, and the signed check-in link (the QR code's target: open it on the spot, or
// share it), with its QR code, while the reservation can still be checked in.
import * as checkin from '../api/checkin';
import { badge } from '../components/badge';
import { toast } from '../components/dialog';
import { h } from '../components/dom';
import { errorBox, guarded, showError } from '../components/errors';
import { nearStart, windowState } from '../lib/countdown';
import { formatInstant } from '../lib/time';
import type { Session } from '../state';

type Reservation = { reservation_id: string; resource_id: string; start_time: string; end_time: string; status: string };

/** The check-in part of a reservation card, or null when it is not near its start. */
export function checkInSection(session: Session, reservation: Reservation): HTMLElement | null {
  if (!['active', 'checked_in'].includes(reservation.status) || !nearStart(reservation.start_time, reservation.end_time)) return null;
  const box = errorBox();
  const body = h('div', { class: 'actions check-in', 'aria-live': 'polite' });
  const section = h('div', { class: 'check-in-section' }, body, box);
  const load = async (): Promise<void> => {
    try {
      fill(await checkin.state(session.api, reservation.reservation_id));
    } catch (error) {
      showError(box, error);
    }
  };
  function fill(state: checkin.CheckIn): void {
    if (state.checked_in) {
      body.replaceChildren(badge('checked in', 'active'));
      return;
    }
    const where = windowState(state.opens_at, state.closes_at);
    const href = state.check_in_url ?? (state.check_in_path ? `${session.config.apiUrl.replace(/\/$/, '')}${state.check_in_path}` : null);
    const link = href ? h('a', { href, target: '_blank', rel: 'noopener', text: 'Check-in link' }) : null;
    // The same link as a QR code, to open on a phone at the resource.
    const qr = state.check_in_qr
      ? h('img', { class: 'check-in-qr', src: state.check_in_qr, alt: 'QR code of the check-in link', width: '120', height: '120' })
      : null;
    const button = where === 'open'
      ? h('button', {
        type: 'button', class: 'button primary', text: 'Check in',
        onclick: () => guarded(box, async () => {
          fill(await checkin.checkIn(session.api, reservation.reservation_id));
          toast('Checked in.');
          session.events.emit('reservations-changed', { source: 'local', resourceId: reservation.resource_id });
        }),
      })
      : h('span', { class: 'hint', text: where === 'before' ? `Check-in opens ${formatInstant(state.opens_at)}.` : 'Check-in has closed.' });
    body.replaceChildren(button, state.required ? badge('check-in required', 'pending_approval') : '', link ?? '', qr ?? '');
  }
  void load();
  return section;
}
