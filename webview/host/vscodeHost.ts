import { parseHostMessage, type HostToWebview, type WebviewToHost } from '../../src/shared/protocol';
import { Listeners, parseUiState, type Host, type UiState } from './types';

/** The subset of the API VS Code injects into webviews that we use. */
export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare global {
  // Present only inside a VS Code webview.
  var acquireVsCodeApi: (() => VsCodeApi) | undefined;
}

/** Host inside a VS Code webview: postMessage out, window 'message' in, each one validated. */
export class VsCodeHost implements Host {
  private readonly listeners = new Listeners<HostToWebview>();
  private readonly onWindowMessage = (e: MessageEvent): void => {
    const parsed = parseHostMessage(e.data);
    if (!parsed.ok) {
      // A host bug or a foreign frame: never act on it.
      console.warn(`[hearth] dropped invalid host message: ${parsed.error}`);
      return;
    }
    this.listeners.emit(parsed.value);
  };

  constructor(
    private readonly api: VsCodeApi,
    private readonly target: Window = window,
  ) {
    target.addEventListener('message', this.onWindowMessage);
  }

  post(message: WebviewToHost): void {
    this.api.postMessage(message);
  }

  onMessage(listener: (message: HostToWebview) => void): () => void {
    return this.listeners.add(listener);
  }

  getUiState(): UiState {
    return parseUiState(this.api.getState());
  }

  setUiState(state: UiState): void {
    this.api.setState(state);
  }

  dispose(): void {
    this.target.removeEventListener('message', this.onWindowMessage);
    this.listeners.clear();
  }
}
