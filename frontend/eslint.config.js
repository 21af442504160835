// ESLint for the web app: the recommended and type-aware rules, plus the house rule that data
// never becomes markup (no innerHTML / outerHTML / insertAdjacentHTML / document.write).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noMarkup = [
  { selector: "AssignmentExpression[left.property.name=/^(innerHTML|outerHTML)$/]", message: 'Build nodes (components/dom.ts); never assign markup.' },
  { selector: "CallExpression[callee.property.name=/^(insertAdjacentHTML|write|writeln)$/]", message: 'Build nodes (components/dom.ts); never insert markup.' },
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/src/api/schema.d.ts', '**/scripts/**', '**/eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      'no-restricted-syntax': ['error', ...noMarkup],
      'no-restricted-properties': ['error',
        { object: 'localStorage', message: 'Tokens never go to localStorage (see api/client.ts).' },
        { object: 'document', property: 'cookie', message: 'No cookies: tokens travel in headers only.' }],
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
);
