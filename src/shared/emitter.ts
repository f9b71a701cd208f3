/** A minimal event emitter, so the pure parts need no `vscode.EventEmitter`. */
export type Listener<T> = (value: T) => void;

export class Emitter<T> {
  private readonly listeners = new Set<Listener<T>>();

  /** Subscribes; the returned object's dispose() unsubscribes (fits context.subscriptions). */
  on(listener: Listener<T>): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  fire(value: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(value);
      } catch {
        // A failing listener must not stop the others (or the stream that fired).
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
