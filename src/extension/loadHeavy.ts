import type * as Heavy from './heavy';

let heavy: Promise<typeof Heavy> | undefined;

/**
 * The heavy half of the extension, loaded once on first use. In the bundle,
 * esbuild.mjs maps './heavy' to the separate file dist/heavy.js (its
 * lazyHeavyPlugin); from source (tests) it is the TypeScript module. A plain
 * require, not import(): the extension host loads extensions as CommonJS.
 */
export function loadHeavy(): Promise<typeof Heavy> {
  return (heavy ??= Promise.resolve().then(() => require('./heavy') as typeof Heavy));
}
