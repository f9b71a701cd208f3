/**
 * The browser pages connected to one gateway, each with its own conversation.
 * A page holds an event stream (GET /ui/events) and posts its messages
 * (POST /ui/messages) with the connection id it was given. When its stream
 * drops, the conversation waits `graceMs` for the page to come back (same id,
 * then `ready` gets a fresh snapshot); after that it is closed and a reply it
 * was streaming is stopped, as closing the tab means.
 *
 * At most `maxPages`: a newcomer may push out only a page that is away and not
 * answering. A connected page is never closed for a newcomer (it would
 * reconnect and push out another: with many pages reconnecting at once that
 * churns forever), nor is a reply in progress stopped; when every page is
 * connected or answering, the newcomer is refused (503, Retry-After) and its
 * page says why and tries again later.
 */
import type { UiHost, UiStream } from '../gateway/server/deps';
import { HttpError } from '../gateway/server/httpError';
import type { HostToWebview } from '../shared/protocol';
import { browserPlatform } from './browserPlatform';
import type { Conversation } from './conversation';
import type { ConversationHub } from './hub';
import type { WorkspaceContext } from './platform';

interface Page {
  conversation: Conversation;
  /** Its `@` picker's context, disposed with it. */
  context: (WorkspaceContext & { dispose(): void }) | undefined;
  /** The stream delivering to it now; undefined while it is away. */
  stream: UiStream | undefined;
  grace: ReturnType<typeof setTimeout> | undefined;
}

export interface PageConnectionsOptions {
  settingsHelp: string;
  /** How long a page whose stream dropped may come back (default 30 s). */
  graceMs?: number;
  newId?: () => string;
  /** At most this many pages (default 64): the oldest one that is away and idle makes room; if none is, a newcomer is refused. */
  maxPages?: number;
  /** Each page's context (its `@` picker: `@codebase`); absent: pages have no picker. */
  context?: () => WorkspaceContext & { dispose(): void };
}

/** How long a refused page waits before it asks again. */
export const PAGE_RETRY_AFTER_SECONDS = 10;

export class PageConnections implements UiHost {
  private readonly pages = new Map<string, Page>();

  constructor(
    private readonly hub: ConversationHub,
    private readonly opts: PageConnectionsOptions,
  ) {}

  get size(): number {
    return this.pages.size;
  }

  attach(id: string | undefined, stream: UiStream): string {
    const known = id !== undefined ? this.pages.get(id) : undefined;
    if (known && id !== undefined) {
      if (known.grace) clearTimeout(known.grace);
      known.grace = undefined;
      // A new stream: the page will say `ready` and get a fresh snapshot.
      known.conversation.channel.reset();
      if (known.stream && known.stream !== stream) known.stream.close();
      known.stream = stream;
      return id;
    }
    this.makeRoom();
    const newId = (this.opts.newId ?? (() => globalThis.crypto.randomUUID()))();
    const context = this.opts.context?.();
    const page: Page = { conversation: undefined as unknown as Conversation, context, stream, grace: undefined };
    const deliver = (m: HostToWebview) => {
      page.stream?.send(m);
    };
    const platform = browserPlatform({ post: (m) => page.conversation.channel.post(m), settingsHelp: this.opts.settingsHelp, ...(context ? { context } : {}) });
    page.conversation = this.hub.open(platform, deliver);
    this.pages.set(newId, page);
    return newId;
  }

  detach(id: string, stream: UiStream): void {
    const page = this.pages.get(id);
    if (!page || page.stream !== stream) return;
    page.stream = undefined;
    page.conversation.channel.reset();
    page.grace = setTimeout(() => this.close(id), this.opts.graceMs ?? 30_000);
    (page.grace as { unref?: () => void }).unref?.();
  }

  receive(id: string, raw: unknown): Promise<unknown> | false {
    const page = this.pages.get(id);
    if (!page) return false;
    // Conversation.receive never throws: failures become notices to the page.
    return page.conversation.receive(raw);
  }

  /** The conversation of a page (tests). */
  conversation(id: string): Conversation | undefined {
    return this.pages.get(id)?.conversation;
  }

  dispose(): void {
    for (const id of [...this.pages.keys()]) this.close(id);
  }

  private close(id: string): void {
    const page = this.pages.get(id);
    if (!page) return;
    if (page.grace) clearTimeout(page.grace);
    this.pages.delete(id);
    page.conversation.dispose();
    page.context?.dispose();
    // A live page whose conversation is gone reconnects and gets a new one.
    page.stream?.close();
  }

  /** Closes the oldest page that is away and idle, or refuses the newcomer when there is none. */
  private makeRoom(): void {
    const max = this.opts.maxPages ?? 64;
    if (this.pages.size < max) return;
    const idle = [...this.pages.entries()].find(([, p]) => !p.stream && !p.conversation.streaming);
    if (!idle)
      throw new HttpError(
        503,
        'too_many_pages',
        `This Hearth gateway already has ${max} pages open, all connected or answering. Close a Hearth tab you no longer use; this page tries again by itself.`,
        { 'Retry-After': String(PAGE_RETRY_AFTER_SECONDS) },
      );
    this.close(idle[0]);
  }
}
