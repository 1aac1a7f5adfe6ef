// esbuild plugins for the Lambda bundle (serverless-esbuild `custom.esbuild.plugins`). Plain CommonJS.

/**
 * zod 4's classic API re-exports every locale (`export * as locales`), ~260 KB minified that esbuild cannot
 * tree-shake. tunnel-guard never calls `z.locales.*` (English messages are configured by zod itself from
 * `locales/en.js`, which stays), so the namespace is replaced by an empty module in the Lambda bundle.
 */
const dropZodLocales = {
  name: 'drop-zod-locales',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'tunnel-guard-stub' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'tunnel-guard-stub' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

module.exports = [dropZodLocales];
