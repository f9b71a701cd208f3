import { BrowserHost } from './browserHost';
import type { Host } from './types';
import { VsCodeHost } from './vscodeHost';

/** acquireVsCodeApi exists only inside a VS Code webview; anywhere else we are in a browser tab of the gateway. */
export function createHost(): Host {
  if (typeof globalThis.acquireVsCodeApi === 'function') return new VsCodeHost(globalThis.acquireVsCodeApi());
  // Outside VS Code the --vscode-* theme variables need fallback values (styles.css).
  document.documentElement.classList.add('hearth-browser');
  return new BrowserHost();
}
