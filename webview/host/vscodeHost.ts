import { parseHostMessage, type HostToWebview, type ReplyOf, type RequestType, type WebviewToHost } from '../../src/shared/protocol';
import { PageRequests, type RequestBody, type RequestTimers } from './requests';
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
    if (!this.requests.receive(parsed.value)) this.listeners.emit(parsed.value);
  };
  private readonly requests: PageRequests;

  constructor(
    private readonly api: VsCodeApi,
    private readonly target: Window = window,
    timers?: RequestTimers,
  ) {
    this.requests = new PageRequests((m) => this.post(m), timers);
    target.addEventListener('message', this.onWindowMessage);
  }

  post(message: WebviewToHost): void {
    this.api.postMessage(message);
  }

  request<T extends RequestType>(message: RequestBody<T>): Promise<ReplyOf<T>> {
    return this.requests.request(message);
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
    this.requests.failAll('The chat view was closed before Hearth answered.');
    this.target.removeEventListener('message', this.onWindowMessage);
    this.listeners.clear();
  }
}
