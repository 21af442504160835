// A "Location" select filled with the group tree as indented options (reservation search by
// location, issue 14): Admin > Reservation search and My reservations use it.
import * as catalog from '../api/catalog';
import { h, select } from '../components/dom';
import type { Session } from '../state';

/** The select starts with "Any location"; the tree's groups follow once read (a failure
 * leaves "Any location" only: the rest of the screen works without it). */
export function locationSelect(session: Session, name = 'group_id'): HTMLSelectElement {
  const group = select(name, [['', 'Any location']]);
  void catalog.tree(session.api).then((answer) => {
    const walk = (nodes: catalog.GroupNode[], depth: number): HTMLOptionElement[] => nodes.flatMap((node) => [
      h('option', { value: node.group.group_id, text: `${'\u00a0\u00a0'.repeat(depth)}${node.group.name}` }),
      ...walk(node.children, depth + 1),
    ]);
    group.append(...walk(answer.roots, 0));
  }, () => undefined);
  return group;
}
