// Admin: composite resources (issue 14). A resource's parts picked from the catalogue (the
// first 100 by name); a part of a composite cannot have parts itself (one level).
import * as composites from '../../api/composites';
import * as resources from '../../api/resources';
import { openDialog, toast } from '../../components/dialog';
import { checkbox, h } from '../../components/dom';
import { errorBox, onSubmit, showError } from '../../components/errors';
import type { Session } from '../../state';

export async function openParts(session: Session, resource: resources.Resource): Promise<void> {
  const box = errorBox();
  const note = h('p', { class: 'hint', text: 'Booking this resource occupies every part; booking a part blocks it.' });
  const choices = h('div', { class: 'stack' });
  const form = h('form', { class: 'stack', 'aria-label': `Parts of ${resource.name}` },
    note, choices, box,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button primary', text: 'Save parts' }),
      h('button', { type: 'button', class: 'button', text: 'Cancel', onclick: () => dialog.close() })));
  const boxes: HTMLInputElement[] = [];
  onSubmit(form, box, async () => {
    const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
    await composites.setParts(session.api, resource.resource_id, chosen);
    dialog.close();
    toast(chosen.length ? `${resource.name} now has ${chosen.length} parts.` : `${resource.name} has no parts now.`);
    session.events.emit('resources-changed', { resourceId: resource.resource_id });
  });
  const dialog = openDialog(`Parts: ${resource.name}`, form);
  try {
    const [current, page] = await Promise.all([
      composites.parts(session.api, resource.resource_id),
      resources.list(session.api, { limit: 100 }),
    ]);
    if (current.part_of.length) note.textContent = `Part of ${current.part_of.length} composite(s); a part cannot have parts.`;
    for (const other of page.items.filter((r) => r.resource_id !== resource.resource_id)) {
      const input = h('input', { type: 'checkbox', name: 'parts', value: other.resource_id });
      input.checked = current.parts.includes(other.resource_id);
      boxes.push(input);
      choices.append(checkbox(other.name, input));
    }
  } catch (error) {
    showError(box, error);
  }
}
