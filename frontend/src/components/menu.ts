// A menu button: Enter/Space/ArrowDown opens, arrows move, Escape closes and returns focus.
import { h, uid } from './dom';

export interface MenuItem { label: string; action: () => void }

export function menuButton(labelText: string, items: MenuItem[], { accessibleLabel }: { accessibleLabel?: string } = {}): HTMLDivElement {
  const menuId = uid('menu');
  const toggle = h('button', {
    type: 'button', class: 'button menu-toggle', 'aria-haspopup': 'menu', 'aria-expanded': 'false',
    'aria-controls': menuId, 'aria-label': accessibleLabel,
  }, labelText, h('span', { 'aria-hidden': 'true', text: ' ▾' }));
  const menu = h('ul', { class: 'menu', role: 'menu', id: menuId, hidden: true });
  const buttons = items.map((item) => {
    const b = h('button', { type: 'button', role: 'menuitem', tabindex: '-1', text: item.label });
    b.addEventListener('click', () => { close(); item.action(); });
    menu.append(h('li', { role: 'none' }, b));
    return b;
  });

  function open(): void {
    menu.hidden = false;
    toggle.setAttribute('aria-expanded', 'true');
    buttons[0]?.focus();
    document.addEventListener('pointerdown', outside, true);
  }
  function close({ focusToggle = false } = {}): void {
    menu.hidden = true;
    toggle.setAttribute('aria-expanded', 'false');
    document.removeEventListener('pointerdown', outside, true);
    if (focusToggle) toggle.focus();
  }
  function outside(event: Event): void {
    if (!(event.target instanceof Node) || !wrapper.contains(event.target)) close();
  }
  const move = (to: number): void => buttons[(to + buttons.length) % buttons.length]?.focus();

  toggle.addEventListener('click', () => (menu.hidden ? open() : close()));
  toggle.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown') { event.preventDefault(); open(); }
  });
  menu.addEventListener('keydown', (event) => {
    const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const keys: Record<string, () => void> = {
      Escape: () => close({ focusToggle: true }),
      ArrowDown: () => move(index + 1),
      ArrowUp: () => move(index - 1),
      Home: () => move(0),
      End: () => move(buttons.length - 1),
    };
    if (event.key === 'Tab') close();
    else if (keys[event.key]) { event.preventDefault(); keys[event.key](); }
  });

  const wrapper = h('div', { class: 'menu-wrapper' }, toggle, menu);
  return wrapper;
}
