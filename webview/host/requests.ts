/**
 * The page's side of requests with replies: each request gets an id, the
 * promise settles with the host's `reply` of that id (checked against what that
 * request may get), or is rejected with a sentence the page can show — never
 * left hanging. Requests made before the first snapshot (an Enter right after
 * the panel opened) wait for it and then go. Both transports use this one class.
 */
import { parseReply, type HostToWebview, type ReplyOf, type RequestOf, type RequestType, type WebviewToHost } from '../../src/shared/protocol';
import { realTimers, type Timers } from '../state/store';

/** setTimeout, injectable for tests (the store's timers). */
export type RequestTimers = Timers;

/** A request as the page writes it: the transport adds the id. */
export type RequestBody<T extends RequestType> = Omit<RequestOf<T>, 'requestId'> & { type: T };

/**
 * How long each request may wait for its reply, counted from the moment it was
 * made (so including a wait for the snapshot). Undefined: no limit — an Apply's
 * review stays open as long as the user takes.
 */
export const REPLY_TIMEOUT_MS: Record<RequestType, number | undefined> = {
  send: 60_000,
  editLast: 60_000,
  contextSearch: 15_000,
  contextAdd: 30_000,
  applyCode: undefined,
};

/** Why a request got no reply, in words for the user. */
export class RequestFailed extends Error {
  override readonly name = 'RequestFailed';
}

interface Pending {
  type: RequestType;
  resolve(result: unknown): void;
  reject(e: RequestFailed): void;
  timer: unknown;
}

export class PageRequests {
  private next = 0;
  private readonly pending = new Map<number, Pending>();
  /** Requests made before the first snapshot, in order. */
  private held: WebviewToHost[] | undefined = [];

  constructor(
    /** Hands a message to the transport. */
    private readonly post: (message: WebviewToHost) => void,
    private readonly timers: RequestTimers = realTimers,
    private readonly timeouts: Record<RequestType, number | undefined> = REPLY_TIMEOUT_MS,
  ) {}

  /** Requests still waiting for their reply. */
  get size(): number {
    return this.pending.size;
  }

  request<T extends RequestType>(body: RequestBody<T>): Promise<ReplyOf<T>> {
    const requestId = ++this.next;
    const type = body.type as T;
    return new Promise<ReplyOf<T>>((resolve, reject) => {
      const ms = this.timeouts[type];
      const timer =
        ms === undefined
          ? undefined
          : this.timers.set(
              () =>
                this.fail(
                  requestId,
                  this.held ? 'Hearth did not get ready in time, so nothing was sent. Try again in a moment.' : 'Hearth did not answer in time. If nothing happened, try again.',
                ),
              ms,
            );
      this.pending.set(requestId, { type, resolve: resolve as (r: unknown) => void, reject, timer });
      const message = { ...body, requestId } as WebviewToHost;
      if (this.held) this.held.push(message);
      else this.post(message);
    });
  }

  /**
   * Every host message passes here first. A reply settles its request (and is
   * consumed: true); the first snapshot releases the requests made before it.
   */
  receive(m: HostToWebview): boolean {
    if (m.type === 'snapshot' && this.held) {
      const held = this.held;
      this.held = undefined;
      // After the snapshot is handled, as if they had been made just after it.
      queueMicrotask(() => {
        for (const h of held) this.post(h);
      });
      return false;
    }
    if (m.type !== 'reply') return false;
    const p = this.pending.get(m.requestId);
    // A reply to a request this page never made (it was reloaded) or gave up on.
    if (!p) return true;
    this.settle(m.requestId);
    const r = parseReply(p.type, m.result);
    if (r.ok) p.resolve(r.value);
    else p.reject(new RequestFailed(`Hearth answered "${p.type}" with something it cannot ask for (${r.error}).`));
    return true;
  }

  /** That request will get no reply (the transport could not deliver it, or it waited too long): it fails with this reason. */
  fail(requestId: number, reason: string): void {
    const p = this.settle(requestId);
    // One still held for the snapshot is never sent now: the user has their text back.
    if (this.held) this.held = this.held.filter((h) => (h as { requestId?: number }).requestId !== requestId);
    p?.reject(new RequestFailed(reason));
  }

  /** Requests still waiting fail with this reason (the host that would answer them is gone). */
  failAll(reason: string, which: (requestId: number) => boolean = () => true): void {
    for (const id of [...this.pending.keys()]) if (which(id)) this.fail(id, reason);
  }

  private settle(requestId: number): Pending | undefined {
    const p = this.pending.get(requestId);
    if (!p) return undefined;
    this.pending.delete(requestId);
    if (p.timer !== undefined) this.timers.clear(p.timer);
    return p;
  }
}
