/** A signal that aborts when any parent does or when ms elapse; says which happened. */
export class Deadline {
  readonly signal: AbortSignal;
  private readonly ctl = new AbortController();
  private readonly timer: NodeJS.Timeout | undefined;
  private expired = false;

  constructor(ms: number, parents: (AbortSignal | undefined)[] = []) {
    const live = parents.filter((s): s is AbortSignal => s !== undefined);
    this.signal = AbortSignal.any([this.ctl.signal, ...live]);
    if (ms > 0 && Number.isFinite(ms)) {
      this.timer = setTimeout(() => {
        this.expired = true;
        this.ctl.abort(new DOMException('timed out', 'TimeoutError'));
      }, ms);
      this.timer.unref?.();
    }
  }

  /** True when the deadline itself (not a parent) aborted the signal. */
  get timedOut(): boolean {
    return this.expired;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}

/** Resolves after ms; rejects with the signal's reason if it aborts first. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Waits for a promise shared by several callers, giving up (for this caller
 * only) when its own signal aborts; the shared work goes on for the others.
 */
export function untilAborted<T>(shared: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return shared;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    shared.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
