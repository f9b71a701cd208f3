// Lint: only the few rules that catch real bugs (tsc already checks types and
// unused locals in src). Type-aware, through the project's tsconfig.
// `hearth/layers` shows a wrong-way import in the editor; its rules are
// scripts/check-layers.mjs's (one list), which `npm run check:layers` also runs.
import path from 'node:path';
import tseslint from 'typescript-eslint';
import { importViolation } from './scripts/check-layers.mjs';

const ROOT = import.meta.dirname;

/** The layer rules of scripts/check-layers.mjs as an ESLint rule, for every import form. */
const layers = {
  meta: { type: 'problem', docs: { description: 'Imports point down the layers (scripts/check-layers.mjs).' }, schema: [] },
  create(context) {
    const rel = path.relative(ROOT, context.filename);
    const check = (node) => {
      if (node?.type !== 'Literal' || typeof node.value !== 'string') return;
      const reason = importViolation(rel, node.value);
      if (reason) context.report({ node, message: `${reason}. Layers point down: shared → gateway → core → extension / standalone; webview uses shared only.` });
    };
    return {
      ImportDeclaration: (n) => check(n.source),
      ExportNamedDeclaration: (n) => check(n.source),
      ExportAllDeclaration: (n) => check(n.source),
      ImportExpression: (n) => check(n.source),
      TSImportEqualsDeclaration: (n) => check(n.moduleReference?.expression),
      CallExpression: (n) => {
        if (n.callee.type === 'Identifier' && n.callee.name === 'require') check(n.arguments[0]);
      },
    };
  },
};

export const layersPlugin = { rules: { layers } };

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'media/**', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: ROOT },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false }],
      '@typescript-eslint/no-unused-vars': ['error', { args: 'after-used', argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx', 'webview/**/*.ts', 'webview/**/*.tsx'],
    plugins: { hearth: layersPlugin },
    rules: { 'hearth/layers': 'error' },
  },
);
