/**
 * The conversations of one process and what they share: the model list and
 * connection, pulls, the history list. A change any page should see (models,
 * connection, pull progress, the list of sessions) is sent to every page; so is
 * a change the session store reports (a delete or rename through the HTTP API,
 * pruning, another window): a page showing a deleted session leaves it, one
 * showing a renamed one shows it again.
 * VS Code has one conversation (its chat view); the gateway has one per
 * browser tab.
 */
import type { HostToWebview } from '../shared/protocol';
import type { SessionStoreChange } from '../shared/session';
import { Conversation, type ConversationHubLink } from './conversation';
import type { CoreServices, Platform } from './platform';
import { PullRunner } from './pulls';

export class ConversationHub {
  private readonly conversations = new Set<Conversation>();
  readonly pulls: PullRunner;
  private readonly subscription: { dispose(): void };
  private readonly storeSub: { dispose(): void } | undefined;
  private readonly link: ConversationHubLink;
  /** The history listing under way, and the one queued behind it (every change while one runs shares one more). */
  private listing: Promise<void> | undefined;
  private listingNext: Promise<void> | undefined;

  constructor(readonly services: CoreServices) {
    const models = services.models;
    this.pulls = new PullRunner(
      () => services.puller(),
      (m) => this.broadcast(m),
      () => void models.refresh(),
    );
    this.subscription = models.onDidChange.on((c) => {
      this.broadcast({ type: 'models', models: c.models, ...(c.selectedModel ? { selectedModel: c.selectedModel } : {}) });
      this.broadcast({ type: 'connection', connection: c.connection });
    });
    this.link = {
      sessionsChanged: () => this.sessionsChanged(),
      sessionDeleted: (id) => {
        for (const c of this.conversations) c.sessionGone(id);
      },
      closed: (c) => void this.conversations.delete(c),
      pulls: this.pulls,
    };
    this.storeSub = services.store.onDidChange?.((c) => {
      this.storeChanged(c).catch((e: unknown) => services.log(`could not show a change of the history: ${e instanceof Error ? e.message : String(e)}`));
    });
  }

  private async storeChanged(c: SessionStoreChange): Promise<void> {
    switch (c.type) {
      case 'deleted':
        for (const id of c.ids) for (const conv of this.conversations) conv.sessionGone(id);
        break;
      case 'renamed':
      case 'changed':
        await Promise.all(c.ids.flatMap((id) => [...this.conversations].map((conv) => this.showChange(conv, id))));
        break;
      case 'added':
        break;
      default: {
        const never: never = c.type;
        throw new Error(`unhandled store change ${String(never)}`);
      }
    }
    await this.sessionsChanged();
  }

  /** A conversation for a new page; `send` is how its transport delivers a message. */
  open(platform: Platform, send: (m: HostToWebview) => void): Conversation {
    const c = new Conversation(this.services, platform, send, this.link);
    this.conversations.add(c);
    return c;
  }

  get size(): number {
    return this.conversations.size;
  }

  broadcast(m: HostToWebview): void {
    for (const c of this.conversations) c.channel.post(m);
  }

  /** Settings that fitting depends on changed: every page counts with the new ones. */
  contextChanged(): void {
    for (const c of this.conversations) c.postContextState();
  }

  /** A page whose reply is being written into the changed session is shown the change once the turn is over (its own write would hide it). */
  private async showChange(conv: Conversation, id: string): Promise<void> {
    if (conv.streaming?.sessionId !== id) return conv.sessionChanged(id);
    const sub = conv.onTurnFinished.on(() => {
      sub.dispose();
      void conv.sessionChanged(id).catch(() => {});
    });
  }

  /**
   * Lists the sessions and sends the list to every page. Changes that come while
   * a listing runs share one listing after it (a burst of store events, a turn's
   * end beside its own store event): the list every page ends with is never older
   * than the last change.
   */
  sessionsChanged(): Promise<void> {
    if (this.listingNext) return this.listingNext;
    if (this.listing) {
      const next = this.listing.then(
        () => this.listOnce(),
        () => this.listOnce(),
      );
      this.listingNext = next;
      return next;
    }
    return this.listOnce();
  }

  private listOnce(): Promise<void> {
    this.listingNext = undefined;
    const run = (async () => {
      if (this.conversations.size === 0) return;
      const sessions = await this.services.store.list();
      this.broadcast({ type: 'sessions', sessions });
    })();
    this.listing = run;
    void run.then(
      () => {
        if (this.listing === run) this.listing = undefined;
      },
      () => {
        if (this.listing === run) this.listing = undefined;
      },
    );
    return run;
  }

  dispose(): void {
    for (const c of [...this.conversations]) c.dispose();
    this.subscription.dispose();
    this.storeSub?.dispose();
    this.pulls.dispose();
  }
}
