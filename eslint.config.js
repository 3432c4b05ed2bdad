// Lint policy: type-aware rules that catch the mistakes a scheduler cannot afford
// (floating promises, `any`, non-null assertions, import cycles), and an import ban
// that keeps the allocator a pure library.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

const ioModules = [
  'fs',
  'fs/promises',
  'net',
  'http',
  'http2',
  'https',
  'dgram',
  'dns',
  'tls',
  'child_process',
  'cluster',
  'worker_threads',
  'timers',
  'timers/promises',
  'os',
  'process',
  'readline',
  'stream',
];
const bannedInAllocator = [
  ...ioModules,
  ...ioModules.map((m) => `node:${m}`),
  '@grpc/*',
  '@kubernetes/*',
  'winston',
  'prom-client',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/gen/**', 'charts/**', 'webui-dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver': { node: { extensions: ['.ts', '.js'] } } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's test()/describe() return promises the runner itself awaits.
          allowForKnownSafeCalls: [
            { from: 'package', name: ['test', 'it', 'describe', 'suite'], package: 'node:test' },
          ],
        },
      ],
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // winston's transports are typed through two copies of winston-transport, which this
      // rule mistakes for foreign instances.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['src/allocator/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: bannedInAllocator
            .filter((n) => !n.includes('*'))
            .map((name) => ({
              name,
              message: 'src/allocator is a pure library: no I/O, timers or logging.',
            })),
          patterns: [
            { group: ['@grpc/*', '@kubernetes/*'], message: 'src/allocator is a pure library.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Date', message: 'Use the injected Clock.' },
        { name: 'setTimeout', message: 'The allocator has no timers.' },
        { name: 'setInterval', message: 'The allocator has no timers.' },
        { name: 'setImmediate', message: 'The allocator has no timers.' },
        { name: 'process', message: 'The allocator does no I/O.' },
        { name: 'fetch', message: 'The allocator does no I/O.' },
        { name: 'console', message: 'The allocator does not log.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Use the seeded RNG.' },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['scripts/**/*.mjs', 'bin/**/*.js', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
