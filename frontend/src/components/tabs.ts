// ARIA tabs (arrow keys, Home/End) whose panels are built the first time they are shown; a
// panel may be built asynchronously (a lazily loaded screen module).
import { h, uid } from './dom';
import { errorBox, showError } from './errors';

export interface TabItem {
  id: string;
  label: string;
  render: () => Node | Promise<Node>;
  onShow?: () => void;
}

interface Entry extends TabItem { tab: HTMLButtonElement; panel: HTMLElement; built: boolean }

export interface Tabs {
  element: HTMLElement;
  select(id: string, options?: { focus?: boolean }): void;
}

export function tabs(items: TabItem[], options: { label?: string; onChange?: (id: string) => void; initial?: string } = {}): Tabs {
  const list = h('div', { class: 'tabs', role: 'tablist', 'aria-label': options.label ?? 'Sections' });
  const panels = h('div', { class: 'tab-panels' });
  const entries: Entry[] = items.map((item) => {
    const tabId = uid('tab');
    const panelId = uid('panel');
    const tab = h('button', {
      type: 'button', role: 'tab', id: tabId, class: 'tab', 'aria-controls': panelId,
      'aria-selected': 'false', tabindex: '-1', dataset: { tab: item.id }, text: item.label,
    });
    const panel = h('section', { role: 'tabpanel', id: panelId, 'aria-labelledby': tabId, class: 'tab-panel', hidden: true, tabindex: '0' });
    tab.addEventListener('click', () => select(item.id));
    tab.addEventListener('keydown', (event) => onKey(event, item.id));
    list.append(tab);
    panels.append(panel);
    return { ...item, tab, panel, built: false };
  });

  async function build(entry: Entry): Promise<void> {
    entry.panel.setAttribute('aria-busy', 'true');
    try {
      entry.panel.append(await entry.render());
    } catch (error) {
      const box = errorBox();
      showError(box, error);
      entry.panel.append(box);
    } finally {
      entry.panel.removeAttribute('aria-busy');
    }
  }

  function select(id: string, { focus = false } = {}): void {
    const chosen = entries.find((entry) => entry.id === id) ?? entries[0];
    for (const entry of entries) {
      const active = entry === chosen;
      entry.tab.setAttribute('aria-selected', String(active));
      entry.tab.tabIndex = active ? 0 : -1;
      entry.panel.hidden = !active;
    }
    if (!chosen.built) {
      chosen.built = true;
      void build(chosen);
    } else {
      chosen.onShow?.();
    }
    if (focus) chosen.tab.focus();
    options.onChange?.(chosen.id);
  }

  function onKey(event: KeyboardEvent, id: string): void {
    const index = entries.findIndex((entry) => entry.id === id);
    const moves: Record<string, number> = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: entries.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = (moves[event.key] + entries.length) % entries.length;
    select(entries[next].id, { focus: true });
  }

  const element = h('div', { class: 'tabset' }, list, panels);
  const initial = options.initial && entries.some((entry) => entry.id === options.initial) ? options.initial : entries[0].id;
  select(initial);
  return { element, select };
}
