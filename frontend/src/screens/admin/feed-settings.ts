// Admin: the calendar feed of a resource or a location (issue 12), opened from the resource's
// row (admin/resources.ts) or the location's (admin/groups.ts). Public: anyone with the URL;
// token: the URL carries a secret (a new token kills the old URL); off: no feed.
import * as feeds from '../../api/feeds';
import { copyFeedUrl } from '../../components/clipboard';
import { openDialog, toast } from '../../components/dialog';
import { field, h, radio, whileLoading } from '../../components/dom';
import { errorBox, guarded, onSubmit, showError } from '../../components/errors';
import type { Session } from '../../state';

const MODES: ReadonlyArray<readonly [feeds.FeedMode, string]> = [
  ['off', 'Off: no feed'],
  ['token', 'Private link: only people given the URL (it carries a secret token)'],
  ['public', 'Public: anyone may subscribe'],
];

export async function openFeedSettings(session: Session, target: feeds.FeedTarget): Promise<void> {
  const box = errorBox();
  const choices = MODES.map(([value, text]) => radio('mode', value, text));
  const url = h('input', { type: 'text', name: 'feed_url', readonly: true, value: '' });
  const open = h('a', { class: 'button', href: '#', text: 'Open in calendar app', hidden: true });
  const urlField = field('Feed URL', url, target.kind === 'location'
    ? 'Busy blocks of every resource in this location (and the locations inside it).'
    : 'Busy blocks of this resource; signed-in owners and admins see details.');
  const regenerate = h('button', {
    type: 'button', class: 'button danger', text: 'New private link', hidden: true,
    onclick: () => void guarded(box, async () => {
      if (!window.confirm('Calendars subscribed to the old link stop updating. Make a new one?')) return;
      show(await feeds.setMode(session.api, target, 'token', true));
      toast('New private link made; the old one no longer works.');
    }),
  });
  const copy = h('button', { type: 'button', class: 'button', text: 'Copy URL', onclick: () => void copyFeedUrl(url.value) });
  const show = (setting: feeds.FeedSetting): void => {
    for (const choice of choices) choice.input.checked = choice.input.value === setting.mode;
    url.value = setting.url ?? '';
    urlField.hidden = !setting.url;
    copy.hidden = !setting.url;
    open.hidden = !setting.webcal_url;
    open.href = setting.webcal_url ?? '#';
    regenerate.hidden = setting.mode !== 'token';
  };
  const form = h('form', { class: 'stack', 'aria-label': `Calendar feed of ${target.name}` },
    h('fieldset', {}, h('legend', { text: 'Who may subscribe' }), choices.map((c) => c.element)),
    urlField,
    box,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button primary', text: 'Save feed setting' }),
      copy, open, regenerate,
      h('button', { type: 'button', class: 'button', text: 'Close', onclick: () => dialog.close() })));
  onSubmit(form, box, async () => {
    const chosen = choices.find((c) => c.input.checked)?.input.value as feeds.FeedMode | undefined;
    if (!chosen) return;
    show(await feeds.setMode(session.api, target, chosen));
    toast(`Calendar feed of ${target.name}: ${chosen}.`);
  });
  const dialog = openDialog(`Calendar feed: ${target.name}`, form);
  try {
    show(await whileLoading(form, () => feeds.setting(session.api, target)));
  } catch (error) {
    showError(box, error);
  }
}

