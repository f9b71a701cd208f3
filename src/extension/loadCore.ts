import type * as Core from './core';

let core: Promise<typeof Core> | undefined;

/**
 * The heavy half of the extension, loaded once on first use. In the bundle,
 * esbuild.mjs maps './core' to the separate file dist/core.js (its
 * lazyCorePlugin); from source (tests) it is the TypeScript module. A plain
 * require, not import(): the extension host loads extensions as CommonJS.
 */
export function loadCore(): Promise<typeof Core> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (core ??= Promise.resolve().then(() => require('./core') as typeof Core));
}
