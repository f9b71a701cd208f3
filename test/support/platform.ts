/** A Platform (src/core/platform.ts) that does nothing, for benchmarks and tests that only need the core to run. */
import type { Platform } from '../../src/core/platform';

export function inertPlatform(over: Partial<Platform> = {}): Platform {
  const noop = async () => {};
  return {
    editor: true,
    titleActions: true,
    copy: noop,
    insertCode: noop,
    openInEditor: noop,
    openLink: noop,
    openSettings: noop,
    exportSession: noop,
    applyCode: async () => ({ status: 'dismissed' }),
    ...over,
  };
}
