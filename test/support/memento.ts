import type { MementoLike } from '../../src/extension/sessions/extensionSessionStore';

/** An in-memory Memento that, like VS Code's, stores JSON (values are copied in and out). */
export class MemoryMemento implements MementoLike {
  readonly data = new Map<string, string>();
  updates = 0;
  get<T>(key: string): T | undefined {
    const v = this.data.get(key);
    return v === undefined ? undefined : (JSON.parse(v) as T);
  }
  update(key: string, value: unknown): Promise<void> {
    this.updates++;
    if (value === undefined) this.data.delete(key);
    else this.data.set(key, JSON.stringify(value));
    return Promise.resolve();
  }
}
