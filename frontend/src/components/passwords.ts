// Username and password inputs with the server's policy shown as live hints. The server stays
// the judge (it says which rule failed); the hints only save a round trip.
import { field, h, uid } from './dom';

export const PASSWORD_MIN = 10;
const CLASSES = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/];

export function passwordRules(value: string, username = ''): { ok: boolean; text: string }[] {
  const kinds = CLASSES.filter((pattern) => pattern.test(value)).length;
  const name = username.trim().toLowerCase();
  return [
    { ok: value.length >= PASSWORD_MIN, text: `At least ${PASSWORD_MIN} characters` },
    { ok: kinds >= 2, text: 'Mixes at least two kinds: lower case, upper case, digits, symbols' },
    { ok: !value || !name || !value.toLowerCase().includes(name), text: 'Does not contain the username' },
  ];
}

/** 0-4: length and variety, a rough guide for the meter (the server enforces the policy). */
export function passwordStrength(value: string): number {
  const kinds = CLASSES.filter((pattern) => pattern.test(value)).length;
  let score = 0;
  if (value.length >= PASSWORD_MIN) score += 1;
  if (value.length >= 14) score += 1;
  if (kinds >= 3) score += 1;
  if (kinds === 4 && value.length >= 12) score += 1;
  return score;
}

const STRENGTH = ['Too weak', 'Weak', 'Fair', 'Good', 'Strong'];

/**
 * A new-password field with its checklist and strength meter. Returns {element, input}.
 * `usernameInput` (optional) lets the checklist warn when the password contains the username.
 */
export function newPasswordField(
  labelText = 'Password',
  name = 'password',
  usernameInput: HTMLInputElement | null = null,
): { element: HTMLElement; input: HTMLInputElement } {
  const input = h('input', {
    type: 'password', name, required: true, autocomplete: 'new-password', minlength: String(PASSWORD_MIN), maxlength: '256',
  });
  const list = h('ul', { class: 'rules', id: uid('rules') });
  const meter = h('meter', { min: '0', max: '4', low: '2', high: '3', optimum: '4', value: '0' });
  const meterId = uid('meter');
  meter.id = meterId;
  const meterText = h('span', { class: 'meter-text', text: STRENGTH[0] });
  const hint = h(
    'div',
    { class: 'hint' },
    list,
    h('div', { class: 'meter' }, h('label', { for: meterId, text: 'Strength: ' }), meter, ' ', meterText),
  );
  const update = () => {
    const rules = passwordRules(input.value, usernameInput?.value ?? '');
    list.replaceChildren(...rules.map((rule) => h('li', { class: rule.ok ? 'ok' : 'todo' },
      h('span', { 'aria-hidden': 'true', text: rule.ok ? '✓ ' : '• ' }), rule.text,
      h('span', { class: 'visually-hidden', text: rule.ok ? ' (met)' : ' (not met yet)' }))));
    const score = passwordStrength(input.value);
    meter.value = score;
    meterText.textContent = STRENGTH[score];
  };
  input.addEventListener('input', update);
  usernameInput?.addEventListener('input', update);
  update();
  return { element: field(labelText, input, hint), input };
}

export function usernameInput(): HTMLInputElement {
  return h('input', {
    name: 'username', required: true, autocomplete: 'username', minlength: '3', maxlength: '32',
    pattern: '[A-Za-z0-9][A-Za-z0-9._\\-]{2,31}', autocapitalize: 'none', spellcheck: 'false',
  });
}

export const USERNAME_HINT = '3 to 32 characters: letters, digits, dot, underscore or hyphen, starting with a letter or digit (not case-sensitive).';

/** A confirmation field that must equal `original`. */
export function confirmPasswordField(original: HTMLInputElement, labelText = 'Repeat the password'): { element: HTMLElement; input: HTMLInputElement } {
  const input = h('input', { type: 'password', name: 'password_confirm', required: true, autocomplete: 'new-password' });
  const check = () => input.setCustomValidity(input.value === original.value ? '' : 'The passwords do not match.');
  input.addEventListener('input', check);
  original.addEventListener('input', check);
  return { element: field(labelText, input), input };
}
