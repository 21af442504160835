export function render(): HTMLElement {
  return document.createElement('div');
}
