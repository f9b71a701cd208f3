/** A conversation core over the real ChatService and store, with a scripted engine and a recording platform. */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ApplyOutcome, ApplyRequest } from '../../../src/core/apply';
import type { Conversation } from '../../../src/core/conversation';
import { ConversationHub } from '../../../src/core/hub';
import { ModelState } from '../../../src/core/models';
import type { CoreServices, Platform } from '../../../src/core/platform';
import { createChatService } from '../../../src/gateway/chat/chatService';
import type { ChatService } from '../../../src/gateway/chat/types';
import { ExtensionSessionStore } from '../../../src/extension/sessions/extensionSessionStore';
import type { HostToWebview } from '../../../src/shared/protocol';
import type { SessionStore } from '../../../src/shared/session';
import { FakeEngine } from '../../support/fakeEngine';
import { MemoryMemento } from '../../support/memento';

export const WS = 'file:///ws';

export function until(probe: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (probe()) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 5);
    };
    tick();
  });
}

/** A platform that records what was asked of it. */
export class RecordingPlatform implements Platform {
  readonly calls: [string, ...unknown[]][] = [];
  constructor(
    readonly editor = true,
    readonly workspace: string | undefined = WS,
    readonly titleActions = true,
  ) {}
  async copy(text: string) {
    this.calls.push(['copy', text]);
  }
  async insertCode(code: string) {
    this.calls.push(['insertCode', code]);
  }
  async openInEditor(code: string, language?: string) {
    this.calls.push(['openInEditor', code, language]);
  }
  /** What applyCode answers (default: the user accepted). */
  applyOutcome: () => Promise<ApplyOutcome> = async () => ({ status: 'applied' });
  async applyCode(request: ApplyRequest) {
    this.calls.push(['applyCode', request]);
    return this.applyOutcome();
  }
  async openLink(url: string) {
    this.calls.push(['openLink', url]);
  }
  async openSettings() {
    this.calls.push(['openSettings']);
  }
  async exportSession(s: { id: string }) {
    this.calls.push(['exportSession', s.id]);
  }
}

export interface CoreFixture {
  dir: string;
  engine: FakeEngine;
  memento: MemoryMemento;
  store: SessionStore;
  chat: ChatService;
  models: ModelState;
  services: CoreServices;
  hub: ConversationHub;
  logs: string[];
  /** A page: its conversation and everything it was sent. */
  page(platform?: Platform): Promise<{ c: Conversation; sent: HostToWebview[]; platform: Platform }>;
  dispose(): Promise<void>;
}

export async function coreFixture(opts: { canPull?: boolean; store?: (s: SessionStore) => SessionStore } = {}): Promise<CoreFixture> {
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'hearth-core-'));
  const engine = new FakeEngine();
  const memento = new MemoryMemento();
  const real = new ExtensionSessionStore({ memento, dir, workspace: WS, maxSessions: () => 100, fsync: false });
  const store = opts.store ? opts.store(real) : real;
  const chat = createChatService({ store, engine, settings: () => ({}), flushIntervalMs: 5 });
  const models = new ModelState({ source: () => engine, memento, configuredModel: () => '', baseUrl: () => 'http://127.0.0.1:1', pollMs: 0 });
  await models.refresh();
  const logs: string[] = [];
  const services: CoreServices = {
    store,
    chat: async () => chat,
    models,
    puller: () => engine,
    canPull: () => opts.canPull ?? true,
    ready: async () => {},
    prepare: async () => {},
    prefs: memento,
    log: (l) => logs.push(l),
  };
  const hub = new ConversationHub(services);
  return {
    dir,
    engine,
    memento,
    store,
    chat,
    models,
    services,
    hub,
    logs,
    async page(platform = new RecordingPlatform()) {
      const sent: HostToWebview[] = [];
      const c = hub.open(platform, (m) => sent.push(m));
      await c.receive({ type: 'ready' });
      return { c, sent, platform };
    },
    async dispose() {
      hub.dispose();
      models.dispose();
      await chat.dispose();
      await fs.rm(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

export const types = (sent: HostToWebview[]) => sent.map((m) => (m.type === 'event' ? `event:${m.event.type}` : m.type));
/**
 * A turn is over once the history list went out after its done event (a list can
 * also go out mid-turn: the store tells the pages when the question retitles the session).
 */
export const finished = (sent: HostToWebview[], after = 0) =>
  until(() => {
    const rest = sent.slice(after);
    const done = rest.findIndex((m) => m.type === 'event' && m.event.type === 'done');
    return done >= 0 && rest.slice(done).some((m) => m.type === 'sessions');
  }, 'the turn to finish');
