import * as z from 'zod';
import type { HostToWebview, ReplyOf, RequestType, WebviewToHost } from '../../src/shared/protocol';
import { attachmentSchema, MAX_ATTACHMENTS, type Attachment } from '../../src/shared/session';
import type { RequestBody } from './requests';

/** Small UI state the host keeps across reloads of the view (the draft, the open view). */
export interface UiState {
  draft?: string;
  view?: 'chat' | 'history';
  /** The chips of the question being written, so a reloaded view keeps them with the draft. */
  attachments?: Attachment[];
}

const storedAttachments = z.array(attachmentSchema).max(MAX_ATTACHMENTS);

/** What either host stored, read defensively (an older version or a hand edit may have left anything). */
export function parseUiState(raw: unknown): UiState {
  if (!raw || typeof raw !== 'object') return {};
  const { draft, view, attachments } = raw as Record<string, unknown>;
  const chips = attachments === undefined ? undefined : storedAttachments.safeParse(attachments);
  return {
    draft: typeof draft === 'string' ? draft : undefined,
    view: view === 'history' || view === 'chat' ? view : undefined,
    ...(chips?.success && chips.data.length ? { attachments: chips.data } : {}),
  };
}

/**
 * The one thing the UI talks to. Inside VS Code it is postMessage; in a browser
 * it is fetch + SSE against the standalone gateway. The UI never knows which.
 */
export interface Host {
  /** A one-way message. */
  post(message: WebviewToHost): void;
  /**
   * A request (send, edit, context search/add, apply): settles with the host's
   * typed reply, or rejects with a RequestFailed whose message the page shows.
   * Made before the first snapshot, it waits for it.
   */
  request<T extends RequestType>(message: RequestBody<T>): Promise<ReplyOf<T>>;
  /** Subscribes to validated host messages (replies go to their requests, not here); returns the unsubscribe function. */
  onMessage(listener: (message: HostToWebview) => void): () => void;
  getUiState(): UiState;
  setUiState(state: UiState): void;
  dispose(): void;
}

/** Fan-out helper both hosts use. */
export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();
  add(listener: (value: T) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }
  emit(value: T): void {
    for (const l of [...this.set]) l(value);
  }
  clear(): void {
    this.set.clear();
  }
}
