// Admin: locations as a tree (site > building > floor > zone...). Create, rename, move (the
// API refuses cycles), delete empty groups. Nested lists, one level per group, so screen
// readers announce the depth; every action is a labelled button. A location's calendar feed
// setting opens from its row (feed-settings.ts).
import * as catalog from '../../api/catalog';
import { badge } from '../../components/badge';
import { openDialog, toast } from '../../components/dialog';
import { clear, field, h, select, titledForm } from '../../components/dom';
import { errorBox, guarded, onSubmit } from '../../components/errors';
import type { Session } from '../../state';
import { openFeedSettings } from './feed-settings';

const KINDS: ReadonlyArray<readonly [string, string]> = [
  ['site', 'Site'], ['building', 'Building'], ['floor', 'Floor'], ['zone', 'Zone'], ['room', 'Room'], ['other', 'Other'],
];
type Kind = NonNullable<catalog.GroupCreateBody['kind']>;

export function render(session: Session): HTMLElement {
  const box = errorBox();
  const treeBox = h('div', { class: 'group-tree', 'aria-live': 'polite' });
  const reload = async (): Promise<void> => {
    const answer = await guarded(box, () => catalog.tree(session.api));
    if (!answer) return;
    clear(treeBox);
    treeBox.append(answer.roots.length
      ? groupList(session, answer.roots, flatten(answer.roots), reload, 'Locations')
      : h('p', { class: 'empty', text: 'No locations yet: create a site or a building.' }));
  };
  void reload();
  return h('div', { class: 'admin-groups' }, createForm(session, null, reload), box, treeBox);
}

function flatten(nodes: catalog.GroupNode[], depth = 0): Array<{ group: catalog.Group; depth: number; path: string[] }> {
  return nodes.flatMap((node) => [
    { group: node.group, depth, path: [node.group.group_id] },
    ...flatten(node.children, depth + 1).map((e) => ({ ...e, path: [node.group.group_id, ...e.path] })),
  ]);
}

function createForm(session: Session, parent: catalog.Group | null, done: () => Promise<void>, dialog?: HTMLDialogElement): HTMLFormElement {
  const box = errorBox();
  const name = h('input', { name: 'name', required: true, maxlength: '100', autocomplete: 'off' });
  const kind = select('kind', KINDS, parent ? 'floor' : 'building');
  const form = titledForm('h3', parent ? `New group in ${parent.name}` : 'New location',
    box, h('div', { class: 'row' }, field('Name', name), field('Kind', kind)),
    h('button', { type: 'submit', class: 'button primary', text: 'Create' }));
  return onSubmit(form, box, async () => {
    const created = await catalog.createGroup(session.api, { name: name.value, kind: kind.value as Kind, parent_id: parent?.group_id ?? null });
    toast(`Created ${created.name}.`);
    form.reset();
    dialog?.close();
    await done();
  });
}

function groupList(
  session: Session, nodes: catalog.GroupNode[], all: ReturnType<typeof flatten>, reload: () => Promise<void>, label?: string,
): HTMLUListElement {
  return h('ul', { class: 'tree-level', 'aria-label': label ?? null },
    nodes.map((node) => groupItem(session, node, all, reload)));
}

function groupItem(session: Session, node: catalog.GroupNode, all: ReturnType<typeof flatten>, reload: () => Promise<void>): HTMLLIElement {
  const g = node.group;
  const box = errorBox();
  const act = (text: string, onclick: () => void): HTMLButtonElement =>
    h('button', { type: 'button', class: 'button small', text, 'aria-label': `${text}: ${g.name}`, onclick });
  return h('li', { class: 'tree-node', dataset: { groupId: g.group_id } },
    h('div', { class: 'tree-row' },
      h('span', { class: 'tree-name', text: g.name }), ' ',
      badge(g.kind, 'info'),
      h('span', { class: 'hint', text: ` ${g.resources} resource(s)` }),
      h('span', { class: 'actions' },
        act('Add child', () => { const d = openDialog(`Add to ${g.name}`); d.querySelector('.dialog-body')?.append(createForm(session, g, reload, d)); }),
        act('Rename', () => openRename(session, g, reload)),
        act('Move', () => openMove(session, g, all, reload)),
        act('Calendar feed', () => void openFeedSettings(session, { kind: 'location', id: g.group_id, name: g.name })),
        act('Delete', () => void guarded(box, async () => {
          if (!window.confirm(`Delete ${g.name}? Only an empty group can be deleted.`)) return;
          await catalog.deleteGroup(session.api, g.group_id);
          toast(`Deleted ${g.name}.`);
          await reload();
        })))),
    box,
    node.children.length ? groupList(session, node.children, all, reload) : null);
}

function openRename(session: Session, g: catalog.Group, reload: () => Promise<void>): void {
  const box = errorBox();
  const name = h('input', { name: 'name', required: true, maxlength: '100', value: g.name });
  const form = h('form', {}, box, field('Name', name), h('button', { type: 'submit', class: 'button primary', text: 'Save' }));
  const dialog = openDialog(`Rename ${g.name}`, form);
  onSubmit(form, box, async () => {
    await catalog.patchGroup(session.api, g.group_id, { name: name.value, version: g.version });
    dialog.close();
    await reload();
  });
}

function openMove(session: Session, g: catalog.Group, all: ReturnType<typeof flatten>, reload: () => Promise<void>): void {
  const box = errorBox();
  // Everything outside its own subtree; the API refuses a cycle anyway (409 group_cycle).
  const options: Array<readonly [string, string]> = [['', '(top level)'],
    ...all.filter((e) => !e.path.includes(g.group_id)).map((e) => [e.group.group_id, `${'— '.repeat(e.depth)}${e.group.name}`] as const)];
  const parent = select('parent_id', options, g.parent_id ?? '');
  const form = h('form', {}, box, field('New parent', parent), h('button', { type: 'submit', class: 'button primary', text: 'Move' }));
  const dialog = openDialog(`Move ${g.name}`, form);
  onSubmit(form, box, async () => {
    await catalog.patchGroup(session.api, g.group_id, { parent_id: parent.value || null });
    toast(`Moved ${g.name}.`);
    dialog.close();
    await reload();
  });
}
