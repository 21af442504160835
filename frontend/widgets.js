// Keyboard-usable widgets: ARIA tabs and a menu button.
import { h, uid } from './dom.js';

/**
 * Tabs (WAI-ARIA pattern: arrow keys, Home/End move between tabs). items: [{id, label, render}]
 * where render() returns the panel content, built the first time the tab is shown.
 * Returns {element, select(id)}.
 */
export function tabs(items, { label, onChange, initial } = {}) {
  const list = h('div', { class: 'tabs', role: 'tablist', 'aria-label': label || 'Sections' });
  const panels = h('div', { class: 'tab-panels' });
  const entries = items.map((item) => {
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

  function select(id, { focus = false } = {}) {
    const chosen = entries.find((entry) => entry.id === id) || entries[0];
    for (const entry of entries) {
      const active = entry === chosen;
      entry.tab.setAttribute('aria-selected', String(active));
      entry.tab.tabIndex = active ? 0 : -1;
      entry.panel.hidden = !active;
    }
    if (!chosen.built) {
      chosen.built = true;
      chosen.panel.append(chosen.render());
    } else if (chosen.onShow) {
      chosen.onShow();
    }
    if (focus) chosen.tab.focus();
    if (onChange) onChange(chosen.id);
  }

  function onKey(event, id) {
    const index = entries.findIndex((entry) => entry.id === id);
    const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: entries.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = (moves[event.key] + entries.length) % entries.length;
    select(entries[next].id, { focus: true });
  }

  const element = h('div', { class: 'tabset' }, list, panels);
  select(initial && entries.some((entry) => entry.id === initial) ? initial : entries[0].id);
  return { element, select };
}

/**
 * A menu button: Enter/Space/ArrowDown opens, arrows move, Escape closes and returns focus.
 * items: [{label, action}]
 */
export function menuButton(labelText, items, { accessibleLabel } = {}) {
  const menuId = uid('menu');
  const toggle = h('button', {
    type: 'button', class: 'button menu-toggle', 'aria-haspopup': 'menu', 'aria-expanded': 'false',
    'aria-controls': menuId, 'aria-label': accessibleLabel,
  }, labelText, h('span', { 'aria-hidden': 'true', text: ' ▾' }));
  const menu = h('ul', { class: 'menu', role: 'menu', id: menuId, hidden: true });
  const buttons = items.map((item) => {
    const button = h('button', { type: 'button', role: 'menuitem', tabindex: '-1', text: item.label });
    button.addEventListener('click', () => { close(); item.action(); });
    menu.append(h('li', { role: 'none' }, button));
    return button;
  });

  function open() {
    menu.hidden = false;
    toggle.setAttribute('aria-expanded', 'true');
    buttons[0].focus();
    document.addEventListener('pointerdown', outside, true);
  }
  function close({ focusToggle = false } = {}) {
    menu.hidden = true;
    toggle.setAttribute('aria-expanded', 'false');
    document.removeEventListener('pointerdown', outside, true);
    if (focusToggle) toggle.focus();
  }
  function outside(event) {
    if (!wrapper.contains(event.target)) close();
  }

  toggle.addEventListener('click', () => (menu.hidden ? open() : close()));
  toggle.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown') { event.preventDefault(); open(); }
  });
  menu.addEventListener('keydown', (event) => {
    const index = buttons.indexOf(document.activeElement);
    if (event.key === 'Escape') { event.preventDefault(); close({ focusToggle: true }); }
    else if (event.key === 'ArrowDown') { event.preventDefault(); buttons[(index + 1) % buttons.length].focus(); }
    else if (event.key === 'ArrowUp') { event.preventDefault(); buttons[(index - 1 + buttons.length) % buttons.length].focus(); }
    else if (event.key === 'Home') { event.preventDefault(); buttons[0].focus(); }
    else if (event.key === 'End') { event.preventDefault(); buttons[buttons.length - 1].focus(); }
    else if (event.key === 'Tab') close();
  });

  const wrapper = h('div', { class: 'menu-wrapper' }, toggle, menu);
  return wrapper;
}
