import type { HostToWebview } from '../../src/shared/protocol';
import { reduceHost, reduceLocal, type LocalAction } from './reducer';
import { initialState, type AppState } from './types';

export type FrameScheduler = (callback: () => void) => unknown;

interface PendingText {
  sessionId: string;
  messageId: string;
  content: string;
  thinking: string;
}

/**
 * App state plus the streaming buffer. Token and thinking text is appended to a
 * buffer and folded into the state once per animation frame; every other message
 * first flushes the buffer (so the end of a reply never overtakes its text).
 * Listeners are told at most once per frame, which is what bounds rendering.
 */
export class Store {
  private state: AppState = initialState();
  private readonly listeners = new Set<() => void>();
  private readonly pending = new Map<string, PendingText>();
  private scheduled = false;
  private dirty = false;
  private disposed = false;

  constructor(
    private readonly schedule: FrameScheduler = (cb) => requestAnimationFrame(cb),
    private readonly now: () => number = () => Date.now(),
  ) {}

  getState(): AppState {
    return this.state;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dispatchHost(msg: HostToWebview): void {
    if (msg.type === 'event' && (msg.event.type === 'token' || msg.event.type === 'thinking')) {
      const key = `${msg.sessionId}\u0000${msg.messageId}`;
      let p = this.pending.get(key);
      if (!p) {
        p = { sessionId: msg.sessionId, messageId: msg.messageId, content: '', thinking: '' };
        this.pending.set(key, p);
      }
      if (msg.event.type === 'token') p.content += msg.event.content;
      else p.thinking += msg.event.content;
      this.markDirty();
      return;
    }
    this.flushPending();
    this.state = reduceHost(this.state, msg, this.now());
    this.markDirty();
  }

  dispatchLocal(action: LocalAction): void {
    this.flushPending();
    this.state = reduceLocal(this.state, action);
    this.markDirty();
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
  }

  private markDirty(): void {
    this.dirty = true;
    if (this.scheduled || this.disposed) return;
    this.scheduled = true;
    this.schedule(() => this.frame());
  }

  private frame(): void {
    this.scheduled = false;
    if (this.disposed) return;
    this.flushPending();
    if (!this.dirty) return;
    this.dirty = false;
    for (const l of [...this.listeners]) l();
  }

  private flushPending(): void {
    if (this.pending.size === 0) return;
    const now = this.now();
    for (const p of this.pending.values()) {
      if (p.thinking) {
        this.state = reduceHost(this.state, { type: 'event', sessionId: p.sessionId, messageId: p.messageId, event: { type: 'thinking', content: p.thinking } }, now);
      }
      if (p.content) {
        this.state = reduceHost(this.state, { type: 'event', sessionId: p.sessionId, messageId: p.messageId, event: { type: 'token', content: p.content } }, now);
      }
    }
    this.pending.clear();
  }
}
