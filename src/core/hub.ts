/**
 * The conversations of one process and what they share: the model list and
 * connection, pulls, the history list. A change any page should see (models,
 * connection, pull progress, the list of sessions) is sent to every page.
 * VS Code has one conversation (its chat view); the gateway has one per
 * browser tab.
 */
import type { HostToWebview } from '../shared/protocol';
import { Conversation, type ConversationHubLink } from './conversation';
import type { CoreServices, Platform } from './platform';
import { PullRunner } from './pulls';

export class ConversationHub {
  private readonly conversations = new Set<Conversation>();
  readonly pulls: PullRunner;
  private readonly subscription: { dispose(): void };
  private readonly link: ConversationHubLink;

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

  /** Lists the sessions once and sends the list to every page. */
  async sessionsChanged(): Promise<void> {
    if (this.conversations.size === 0) return;
    const sessions = await this.services.store.list();
    this.broadcast({ type: 'sessions', sessions });
  }

  dispose(): void {
    for (const c of [...this.conversations]) c.dispose();
    this.subscription.dispose();
    this.pulls.dispose();
  }
}
