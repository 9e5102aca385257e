// Lint rules, including the process boundaries: each folder is one process (style.md), and an
// import across a boundary it must not cross is an error, not a review comment.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'node:*'];

const importsOf = (folders) =>
  folders.flatMap((folder) => [`**/${folder}`, `**/${folder}/**`, `${folder}/**`]);

const restrict = (message, patterns, paths = []) => [
  'error',
  {
    paths: paths.map((name) => ({ name, message })),
    patterns: [{ group: patterns, message }],
  },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'out/**',
      'dist/**',
      'test-results/**',
      'playwright-report/**',
      '.test-output/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // No import cycles anywhere: a module's dependencies form a tree you can read bottom-up.
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { 'import-x': importX },
    settings: {
      // Modules are read with the TypeScript parser to follow their imports.
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          project: ['tsconfig.*.json'],
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['src-shared/**'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': restrict(
        'src-shared runs in every process: no Node built-ins, no Electron, no other layer.',
        [...importsOf(['src-main', 'src-preload', 'src-renderer', 'server']), 'node:*'],
        [...builtinModules, 'electron'],
      ),
      'no-restricted-globals': [
        'error',
        ...[
          'window',
          'document',
          'navigator',
          'localStorage',
          'sessionStorage',
          'location',
          'process',
          'Buffer',
          'require',
          '__dirname',
          '__filename',
          'global',
          'setImmediate',
        ].map((name) => ({ name, message: 'src-shared touches neither Node nor DOM globals.' })),
      ],
    },
  },
  {
    files: ['src-renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': restrict(
        'The renderer imports only src-renderer and src-shared; it reaches main through window.api.',
        [...importsOf(['src-main', 'src-preload', 'server', 'scripts', 'test']), 'node:*'],
        [...nodeBuiltins.filter((m) => m !== 'node:*'), 'electron'],
      ),
      'no-restricted-globals': ['error', 'process', 'require', 'Buffer'],
    },
  },
  {
    files: ['src-preload/**'],
    rules: {
      'no-restricted-imports': restrict(
        'The preload imports only electron and src-shared: it exposes the typed contract, nothing else.',
        [...importsOf(['src-main', 'src-renderer', 'server', 'scripts']), 'node:*'],
        builtinModules,
      ),
    },
  },
  {
    files: ['server/**'],
    rules: {
      'no-restricted-imports': restrict(
        'The companion server never imports desktop-app code (shared Node code is in src-node).',
        importsOf(['src-main', 'src-preload', 'src-renderer']),
        ['electron'],
      ),
    },
  },
  {
    files: ['src-main/**'],
    rules: {
      'no-restricted-imports': restrict(
        'The app never imports the companion server (shared Node code is in src-node).',
        importsOf(['server', 'src-renderer', 'src-preload']),
      ),
    },
  },
  {
    // Code the app's main process and the server both run: Node, but neither's own code.
    files: ['src-node/**'],
    rules: {
      'no-restricted-imports': restrict(
        'src-node is shared by main and the server: it imports only src-shared and Node.',
        importsOf(['src-main', 'src-preload', 'src-renderer', 'server']),
        ['electron'],
      ),
    },
  },
);
