// ESLint (flat config) with typescript-eslint's type-aware rules; formatting is Prettier's job.
import tseslint from 'typescript-eslint';

/**
 * DESIGN.md's dependency direction: apps -> libs; libs/contracts imports no other lib; libs/policy
 * depends on nothing but libs/contracts; libs/adapters never imports policy or store; libs/runtime
 * (what both apps run: config reload, PolicyRuntime, router client) may import every other lib and
 * none imports it; no lib imports an app (specs may use apps/fake-llm, the test double); no cycles
 * between libs.
 */
const forbid = (libs, why) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        ...libs.map((name) => ({ group: [`@switchyard/${name}`, `@switchyard/${name}/*`], message: why })),
        { group: ['**/apps/**'], message: 'A lib never imports an app.' },
      ],
    },
  ],
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test/support/*.js', '*.js', '*.mjs'] },
  ...tseslint.configs.recommendedTypeChecked,
  { languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      // Lazy requires keep heavy modules (protobufjs) off the import path of what does not need them.
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // Tests read untyped JSON off the wire on purpose (what a client would receive), hand jest
    // methods to expect(), and write test doubles that mimic async APIs without awaiting: the
    // type-aware `unsafe` rules would only make them cast everything.
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts', 'apps/*/test/**/*.ts', '**/*.mock.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['libs/contracts/**/*.ts'],
    rules: forbid(['policy', 'adapters', 'store', 'telemetry', 'runtime', 'fake-llm'], 'libs/contracts imports no other lib.'),
  },
  {
    files: ['libs/policy/**/*.ts'],
    rules: forbid(['adapters', 'store', 'telemetry', 'runtime', 'fake-llm'], 'libs/policy depends on nothing but libs/contracts.'),
  },
  {
    files: ['libs/adapters/**/*.ts'],
    ignores: ['libs/adapters/**/*.spec.ts'],
    rules: forbid(['policy', 'store', 'runtime', 'fake-llm'], 'libs/adapters never imports policy, store or runtime.'),
  },
  {
    files: ['libs/adapters/**/*.spec.ts'],
    rules: forbid(['policy', 'store', 'runtime'], 'libs/adapters never imports policy, store or runtime.'),
  },
  {
    files: ['libs/store/**/*.ts'],
    rules: forbid(['adapters', 'telemetry', 'runtime', 'fake-llm'], 'libs/store depends on contracts and policy only.'),
  },
  {
    files: ['libs/telemetry/**/*.ts'],
    rules: forbid(['policy', 'adapters', 'store', 'runtime', 'fake-llm'], 'libs/telemetry depends on libs/contracts only.'),
  },
  {
    files: ['libs/client/**/*.ts'],
    rules: forbid(['contracts', 'policy', 'adapters', 'store', 'telemetry', 'runtime', 'fake-llm'], 'libs/client stands alone: it is what operators and the CLI use.'),
  },
  {
    files: ['libs/runtime/**/*.ts'],
    ignores: ['libs/runtime/**/*.spec.ts'],
    rules: forbid(['fake-llm'], 'libs/runtime imports libs only; its specs may use apps/fake-llm.'),
  },
  {
    files: ['libs/runtime/**/*.spec.ts'],
    rules: forbid([], 'A lib never imports an app.'),
  },
);
