import type { Host } from './types';
import { VsCodeHost } from './vscodeHost';

/** acquireVsCodeApi exists only inside a VS Code webview; anywhere else we are in a browser tab. */
export function createHost(): Host {
  if (typeof globalThis.acquireVsCodeApi === 'function') return new VsCodeHost(globalThis.acquireVsCodeApi());
  throw new Error('browser host: not built yet');
}
